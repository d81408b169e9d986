"""Extensions, created unbound; create_app binds them to an app.

This module imports nothing from the app, so that any module of the app can import it at the top.
"""
from typing import TYPE_CHECKING

from flask_cors import CORS
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that migrations can alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Objects stay readable after commit: dumping a response must not cost another SELECT.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})

# The models' base class. db.Model is made at run time (Flask-SQLAlchemy's mixins on Base), which a type checker
# cannot follow: to it, the models derive from Base, whose typed columns and queries it then checks.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

migrate = Migrate()
jwt = JWTManager()
# Keyed by request.remote_addr, which ProxyFix has already rewritten (TRUSTED_PROXY_COUNT): the same address
# as ledger.request_hooks.client_address(). A request without one (no REMOTE_ADDR) is counted under "127.0.0.1"
# here and stored as "unknown" on its session; either way all such requests share one bucket.
limiter = Limiter(key_func=get_remote_address)
cors = CORS()
