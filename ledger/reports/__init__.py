"""The reports feature."""
