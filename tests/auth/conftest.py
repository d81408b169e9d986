"""Fixtures of the auth tests: the body transport, token forging, ORM access."""
from __future__ import annotations

import jwt as pyjwt
import pytest

from tests.auth.helpers import Orm


@pytest.fixture
def orm(app) -> Orm:
    return Orm(app)


@pytest.fixture
def body_app(app, make_app):
    """Refresh tokens in the JSON body (native clients); `app` first so that its teardown empties the tables."""
    return make_app(REFRESH_TOKEN_TRANSPORT="body")


@pytest.fixture
def body_client(body_app):
    return body_app.test_client()


@pytest.fixture
def forge(app):
    """forge(claims, key=..., algorithm=...) signs arbitrary claims; by default with the app's own key, HS256."""

    def factory(claims: dict, *, key: str | bytes | None = None, algorithm: str = "HS256") -> str:
        return pyjwt.encode(claims, app.config["JWT_SECRET_KEY"] if key is None else key, algorithm=algorithm)

    return factory
