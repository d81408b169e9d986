"""Payees of a ledger: names, autocomplete (초성 too), merge, archive, and the learning suggestion."""
