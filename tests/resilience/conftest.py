"""PostgreSQL-only fixtures: these tests need a real server to cut off."""
from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from tests.conftest import PG_URL, _reset_schema, _tables_in_delete_order
from tests.resilience.tcp_proxy import TcpProxy


@pytest.fixture(scope="session")
def pg_url() -> str:
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must set TEST_DATABASE_URL")
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    _reset_schema(PG_URL)
    return PG_URL


@pytest.fixture
def pg_proxy(pg_url):
    parts = urlsplit(pg_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432).start()
    proxied = pg_url.replace(f"{parts.hostname}:{parts.port or 5432}", f"127.0.0.1:{proxy.port}")
    yield proxy, proxied
    proxy.stop()


@pytest.fixture
def clean_pg(pg_url):
    yield
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(_tables_in_delete_order()) + " RESTART IDENTITY CASCADE"))
    engine.dispose()
