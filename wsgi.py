"""gunicorn wsgi:app — and FLASK_APP for the `flask` command."""
import sys

from config import ConfigError
from ledger import create_app

try:
    app = create_app()
except ConfigError as error:  # one line, no traceback: the operator knows what to fix
    sys.stderr.write(f"ledger: configuration error: {error}\n")
    sys.exit(1)
