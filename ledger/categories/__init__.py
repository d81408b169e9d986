"""The categories feature."""
