"""/api/v1/entries."""
from flask_smorest import Blueprint

blp = Blueprint("entries", __name__, url_prefix="/api/v1/entries", description="Entries")
