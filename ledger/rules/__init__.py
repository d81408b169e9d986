"""Ordered rules of a ledger: conditions and actions run on entry create, preview and apply."""
