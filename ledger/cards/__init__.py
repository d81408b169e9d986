"""Card accounts: billing cycles, statements, installments and what is due."""
