"""/api/v1/accounts."""
from flask_smorest import Blueprint

blp = Blueprint("accounts", __name__, url_prefix="/api/v1/accounts", description="Accounts")
