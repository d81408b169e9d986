"""Recurring entries: a template of an entry plus a recurrence rule."""
