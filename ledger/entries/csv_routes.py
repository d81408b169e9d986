"""/api/v1/entries/export.csv and /api/v1/entries/import."""
from flask_smorest import Blueprint

csv_blp = Blueprint("entries_csv", __name__, url_prefix="/api/v1/entries", description="CSV export and import")
