"""Shared fixtures: a fresh store on SQLite always, and on PostgreSQL when PEERMAP_TEST_PG is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from peermap.engine.access import Actor, Role
from peermap.engine.store import Store

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

PG_BASE = os.environ.get("PEERMAP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_HINT = "PostgreSQL tests skipped: set PEERMAP_TEST_PG=1 (server on 127.0.0.1:5432, trust auth, database test)"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATASETS = Path(os.environ.get("PEERMAP_DATASETS", SHARED / "datasets"))


def _pg_store() -> Iterator[Store]:
    import sqlalchemy as sa

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    store = Store.open(f"{PG_BASE}?options=-csearch_path%3D{schema}")
    try:
        yield store
    finally:
        store.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty store on each database engine (PostgreSQL only with PEERMAP_TEST_PG)."""
    if request.param == "sqlite":
        store = Store.open(f"sqlite:///{tmp_path / 'peermap.db'}")
        yield store
        store.dispose()
    else:
        if not os.environ.get("PEERMAP_TEST_PG"):
            pytest.skip(PG_HINT)
        yield from _pg_store()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty SQLite store."""
    s = Store.open(f"sqlite:///{tmp_path / 'peermap.db'}")
    yield s
    s.dispose()


@pytest.fixture
def practitioner() -> Actor:
    return Actor("pat.practitioner", Role.PRACTITIONER)


@pytest.fixture
def panel() -> Actor:
    return Actor("chair.panel", Role.PANEL)


@pytest.fixture
def auditor() -> Actor:
    return Actor("dee.auditor", Role.AUDITOR)


@pytest.fixture
def datasets() -> Path:
    if not DATASETS.exists():
        pytest.skip(f"public datasets not found at {DATASETS} (set PEERMAP_DATASETS)")
    return DATASETS
