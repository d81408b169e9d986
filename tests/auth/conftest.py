"""Fixtures of the auth tests: token forging, ORM access (the body transport's body_client is in tests/conftest.py)."""
from __future__ import annotations

import jwt as pyjwt
import pytest

from tests.auth.helpers import Orm


@pytest.fixture
def orm(app) -> Orm:
    return Orm(app)


@pytest.fixture
def forge(app):
    """forge(claims, key=..., algorithm=...) signs arbitrary claims; by default with the app's own key, HS256."""

    def factory(claims: dict, *, key: str | bytes | None = None, algorithm: str = "HS256") -> str:
        return pyjwt.encode(claims, app.config["JWT_SECRET_KEY"] if key is None else key, algorithm=algorithm)

    return factory
