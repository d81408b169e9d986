"""The entries feature."""
