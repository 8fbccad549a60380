"""Store, schema version and audit chain basics."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from peermap.engine import audit
from peermap.engine.access import Actor
from peermap.engine.errors import SchemaVersionError
from peermap.engine.store import Store


def test_schema_version_mismatch_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store.open(url)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE meta SET value='0' WHERE key='schema_version'"))
    store.dispose()
    with pytest.raises(SchemaVersionError, match="schema version 0"):
        Store.open(url)


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    eng = sa.create_engine(url)
    with eng.begin() as conn:
        conn.execute(sa.text("CREATE TABLE customers (id int)"))
    eng.dispose()
    (tmp_path / "other.db").chmod(0o600)  # private, so the schema check (not the file-mode check) answers
    with pytest.raises(SchemaVersionError, match="not a peermap database"):
        Store.open(url)


def test_audit_chain_verifies_and_detects_edit(any_store: Store, panel: Actor) -> None:
    for i in range(3):
        audit.log_event(any_store, panel, "test", {"i": i})
    assert audit.verify(any_store).ok
    with any_store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_event SET payload=:p WHERE seq=2"), {"p": '{"i":9}'})
    result = audit.verify(any_store)
    assert not result.ok and result.first_bad_seq == 2
