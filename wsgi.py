"""gunicorn wsgi:app — and FLASK_APP for the `flask` command."""
import sys

from config import ConfigError
from ledger import create_app

# Exit status 3 is gunicorn's "worker failed to boot": when workers import the app themselves (preload off, as in
# deploy/gunicorn.conf.py) the master then stops with the error instead of starting new workers that fail the
# same way, forever. With preload (the repository's gunicorn.conf.py) the master itself exits with it.
CONFIG_ERROR_EXIT = 3

try:
    app = create_app()
except ConfigError as error:  # one line, no traceback: the operator knows what to fix
    sys.stderr.write(f"ledger: configuration error: {error}\n")
    sys.exit(CONFIG_ERROR_EXIT)
