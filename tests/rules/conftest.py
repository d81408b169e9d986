"""The rules tests use the payees tests' fixtures (one definition: tests/payees/conftest.py)."""
from tests.payees.conftest import *  # noqa: F401,F403
