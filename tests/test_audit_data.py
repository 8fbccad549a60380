"""The chain covers the data: edited or deleted rows, and a wiped log, are found by `audit verify` (issue 18.6)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlmodel import col, select
from test_ingest import GOOD
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine import audit
from peermap.engine.access import Actor
from peermap.engine.ingest import import_path
from peermap.engine.models import AuditEvent, RowDigest
from peermap.engine.policy import load_default_policy, set_policy, with_changes
from peermap.engine.store import Store

runner = CliRunner()


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def _sql(store: Store, statement: str, **params: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def _seeded(store: Store, practitioner: Actor, panel: Actor) -> None:
    import_path(store, GOOD, practitioner)
    new = with_changes(load_default_policy(), include_threshold=0.8)
    set_policy(store, panel, new, "tighter threshold for the test")
    audit.log_event(store, practitioner, "view_map", {"shown": ["P001"]})


def _seq_of(store: Store, action: str) -> int:
    with store.read() as s:
        return next(e.seq for e in s.exec(select(AuditEvent).order_by(col(AuditEvent.seq))) if e.action == action)


def edit_policy_body(store: Store) -> None:
    _sql(store, "UPDATE policy_version SET body = replace(body, '0.8', '0.3') WHERE version = 2")


def edit_evidence_note(store: Store) -> None:
    _sql(store, "UPDATE evidence SET note = 'nothing to see here' WHERE evidence_id = 'E001'")


def edit_a_name(store: Store) -> None:
    _sql(store, "UPDATE young_person SET name = 'Someone Else' WHERE person_id = 'P002'")


def delete_import_evidence(store: Store) -> None:
    _sql(store, "DELETE FROM evidence WHERE import_id = 1")


def delete_evidence_and_its_digests(store: Store) -> None:
    _sql(store, "DELETE FROM evidence WHERE evidence_id = 'E002'")
    _sql(store, "DELETE FROM row_digest WHERE tbl = 'evidence' AND row_id = 'E002'")


def insert_evidence_outside(store: Store) -> None:
    _sql(
        store,
        "INSERT INTO evidence (evidence_id, subject_id, object_id, object_kind, relation, polarity, agency, "
        "grading_scheme, grading, observed_on, recorded_on, agreement_id, retraction, import_id, collection_method) "
        "VALUES ('E999', 'P001', 'P003', 'person', 'association', 'supports', 'pol', 'admiralty', 'A1', "
        "'2024-05-01', '2024-05-01', 'ISA-1', false, 1, 'unspecified')",
    )


def edit_row_and_recompute_its_digest(store: Store) -> None:
    """A careful forger: edits a row and rewrites its digest entry with the stored salt."""
    from peermap.engine.audit_digest import row_digest

    edit_evidence_note(store)
    with store.engine.connect() as conn:
        row = dict(conn.execute(sa.text("SELECT * FROM evidence WHERE evidence_id = 'E001'")).mappings().one())
        salt = conn.execute(sa.text("SELECT salt FROM row_digest WHERE tbl='evidence' AND row_id='E001'")).scalar_one()
    with store.read() as s:
        typed = dict(
            s.connection()
            .execute(sa.select(RowDigest.metadata.tables["evidence"]).where(sa.text("evidence_id = 'E001'")))
            .mappings()
            .one()
        )
    assert typed["note"] == row["note"]
    _sql(
        store,
        "UPDATE row_digest SET digest = :d WHERE tbl='evidence' AND row_id='E001'",
        d=row_digest("evidence", typed, salt),
    )


def wipe_audit_table(store: Store) -> None:
    _sql(store, "DELETE FROM audit_event")


def wipe_log_and_head(store: Store) -> None:
    _sql(store, "DELETE FROM audit_event")
    _sql(store, "DELETE FROM meta WHERE key LIKE 'audit%'")


def wipe_log_head_and_digests(store: Store) -> None:
    wipe_log_and_head(store)
    _sql(store, "DELETE FROM row_digest")


# kind -> (tamper, the row verify must name or None, the action of the event it must name or None)
TAMPERING: dict[str, tuple[Callable[[Store], None], str | None, str | None]] = {
    "edit a policy body": (edit_policy_body, "policy_version 2", "policy_set"),
    "edit an evidence row": (edit_evidence_note, "evidence E001", "import"),
    "edit a young person's name": (edit_a_name, "young_person P002", "import"),
    "delete an import's evidence": (delete_import_evidence, "evidence E001", "import"),
    "delete a row and its digest": (delete_evidence_and_its_digests, None, "import"),
    "insert a row under an import": (insert_evidence_outside, "evidence E999", "import"),
    "edit a row and forge its digest": (edit_row_and_recompute_its_digest, None, "import"),
    "wipe the audit table": (wipe_audit_table, None, None),
    "wipe the audit table and the head": (wipe_log_and_head, None, None),
    "wipe log, head and digests": (wipe_log_head_and_digests, None, None),
}


@pytest.mark.slow
def test_untouched_data_verifies(any_store: Store, practitioner: Actor, panel: Actor) -> None:
    _seeded(any_store, practitioner, panel)
    result = audit.verify(any_store)
    assert result.ok, result
    with any_store.read() as s:
        refs = {e.data_ref for e in s.exec(select(AuditEvent)) if e.data_ref}
        entries = len(s.exec(select(RowDigest)).all())
    assert refs == {"import:1", "policy_version:1", "policy_version:2"}
    # the good folder: 36 data rows + the batch row + two policy versions
    assert entries == 5 + 2 + 6 + 3 + 2 + 14 + 2 + 2 + 1 + 2


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(TAMPERING))
def test_data_tampering_is_detected(any_store: Store, practitioner: Actor, panel: Actor, kind: str) -> None:
    _seeded(any_store, practitioner, panel)
    tamper, row, action = TAMPERING[kind]
    tamper(any_store)
    result = audit.verify(any_store)
    assert not result.ok, kind
    assert result.problem
    if row is not None:
        assert result.row == row, (kind, result)
        assert row in result.problem
    if action is not None:
        assert result.first_bad_seq == _seq_of(any_store, action), (kind, result)
    out = runner.invoke(app, ["--db", _url(any_store), "audit", "verify", "--json"])
    assert out.exit_code == 1, out.output
    doc = json.loads(out.output)
    assert doc["ok"] is False and doc["problem"] == result.problem and doc["row"] == result.row
    text = runner.invoke(app, ["--db", _url(any_store), "audit", "verify"])
    assert text.exit_code == 1 and "BROKEN" in text.output and result.problem in text.output


@pytest.mark.slow
def test_the_chain_commits_to_digests_not_to_personal_content(
    any_store: Store, practitioner: Actor, panel: Actor
) -> None:
    """Erasing an event's payload (issue 14) leaves a tombstone that still verifies; a plain edit does not."""
    _seeded(any_store, practitioner, panel)
    seq = _seq_of(any_store, "view_map")
    _sql(any_store, "UPDATE audit_event SET payload = :p, salt = NULL WHERE seq = :s", p='{"erased":true}', s=seq)
    broken = audit.verify(any_store)
    assert not broken.ok and broken.first_bad_seq == seq
    _sql(any_store, "UPDATE audit_event SET erased_by = :s WHERE seq = :s", s=seq)
    assert audit.verify(any_store).ok
    # an erased row keeps its digest entry: its content is no longer recomputed, its absence still would be
    _sql(any_store, "UPDATE young_person SET name = '[erased]' WHERE person_id = 'P002'")
    assert not audit.verify(any_store).ok
    _sql(any_store, "UPDATE row_digest SET erased_by = :s, salt = NULL WHERE row_id = 'P002'", s=seq)
    assert audit.verify(any_store).ok
    _sql(any_store, "DELETE FROM young_person WHERE person_id = 'P002'")
    gone = audit.verify(any_store)
    assert not gone.ok and gone.row == "young_person P002"


def test_the_same_payload_gets_a_different_content_digest_each_time(any_store: Store, practitioner: Actor) -> None:
    """Salted: a kept digest cannot confirm a guess at erased content (e.g. which child was viewed)."""
    a = audit.log_event(any_store, practitioner, "view_person", {"person_id": "P001"})
    b = audit.log_event(any_store, practitioner, "view_person", {"person_id": "P001"})
    assert a.payload == b.payload and a.content_digest != b.content_digest
    assert audit.content_digest(a.payload, None) not in (a.content_digest, b.content_digest)
