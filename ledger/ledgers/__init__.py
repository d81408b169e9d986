"""Ledgers (households): the unit of data, kept by one or more members."""
