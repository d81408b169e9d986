"""The budgets feature."""
