"""/api/v1/budgets."""
from flask_smorest import Blueprint

blp = Blueprint("budgets", __name__, url_prefix="/api/v1/budgets", description="Budgets")
