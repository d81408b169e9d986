"""Bank and card statement imports (issue 16): upload → preview → commit, saved and built-in profiles,
duplicate fingerprints. Separate from the CSV import of ledger.entries.csv (the export's own format)."""
