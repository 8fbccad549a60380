"""Signed checkpoints anchor the chain outside the database (issue 13 item 6)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine import audit, checkpoint
from peermap.engine.access import Actor
from peermap.engine.errors import OutputRefused, PermissionDenied
from peermap.engine.store import Store

runner = CliRunner()


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def _seed(store: Store, actor: Actor, n: int = 5) -> None:
    for i in range(n):
        audit.log_event(store, actor, "test_event", {"i": i})


def _rewrite_from(store: Store, first: int, payload: str) -> None:
    """A forger with write access: edit event `first` and re-chain every later event and the head to match."""
    with store.engine.begin() as conn:
        rows = [
            dict(r)
            for r in conn.execute(sa.text("SELECT * FROM audit_event ORDER BY seq")).mappings()
            if r["seq"] >= first - 1
        ]
        prev = rows[0]["hash"] if first > 1 else audit.GENESIS
        for r in rows[1 if first > 1 else 0 :]:
            if r["seq"] == first:
                r["payload"] = payload
            content = audit.content_digest(r["payload"], r["salt"])
            h = audit.chain_hash(
                prev, r["seq"], r["at"], r["actor"], r["role"], r["action"], content, r["data_ref"], r["data_digest"]
            )
            conn.execute(
                sa.text("UPDATE audit_event SET payload=:p, content_digest=:c, prev_hash=:prev, hash=:h WHERE seq=:s"),
                {"p": r["payload"], "c": content, "prev": prev, "h": h, "s": r["seq"]},
            )
            prev = h
        conn.execute(sa.text("UPDATE meta SET value=:v WHERE key='audit_head'"), {"v": f"{rows[-1]['seq']}:{prev}"})
        if first == 1:
            conn.execute(sa.text("UPDATE meta SET value=:v WHERE key='audit_first'"), {"v": rows[0]["hash"]})


@pytest.fixture
def key(tmp_path: Path) -> Path:
    out = runner.invoke(app, ["audit", "keygen", "--out", str(tmp_path / "anchor.key")])
    assert out.exit_code == 0, out.output
    return tmp_path / "anchor.key"


def test_keygen_writes_a_private_key_only_its_owner_can_read(key: Path, tmp_path: Path) -> None:
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in key.read_bytes()
    pub = Path(str(key) + ".pub")
    assert b"PUBLIC KEY" in pub.read_bytes()
    again = runner.invoke(app, ["audit", "keygen", "--out", str(key)])
    assert again.exit_code == 2 and "never overwritten" in again.output
    assert b"PRIVATE KEY" in key.read_bytes()


@pytest.mark.slow
def test_rewriting_rows_and_head_together_passes_plain_verify_but_not_the_checkpoint(
    any_store: Store, auditor: Actor, key: Path, tmp_path: Path
) -> None:
    _seed(any_store, auditor)
    cp_file = tmp_path / "cp1.json"
    url = _url(any_store)
    signed = runner.invoke(
        app, ["--db", url, "--role", "auditor", "audit", "checkpoint", "--key", str(key), "--out", str(cp_file)]
    )
    assert signed.exit_code == 0, signed.output
    cp = json.loads(cp_file.read_text())
    assert cp["seq"] == 5 and stat.S_IMODE(cp_file.stat().st_mode) == 0o600
    _seed(any_store, auditor, 2)  # the chain grows past the checkpoint: still extends it
    ok = runner.invoke(app, ["--db", url, "audit", "verify", "--checkpoint", str(cp_file), "--pub", f"{key}.pub"])
    assert ok.exit_code == 0, ok.output
    assert "extends checkpoint of event 5" in ok.output

    _rewrite_from(any_store, 3, '{"i":99}')
    plain = runner.invoke(app, ["--db", url, "audit", "verify"])
    assert plain.exit_code == 0 and "intact" in plain.output, plain.output
    anchored = runner.invoke(app, ["--db", url, "audit", "verify", "--checkpoint", str(cp_file), "--json"])
    assert anchored.exit_code == 1, anchored.output
    doc = json.loads(anchored.output)
    assert doc["ok"] is False and doc["first_bad_seq"] == 5
    assert "not the event a signed checkpoint recorded" in doc["problem"]


def test_a_log_deleted_with_everything_else_is_caught_by_the_checkpoint(
    any_store: Store, auditor: Actor, key: Path, tmp_path: Path
) -> None:
    _seed(any_store, auditor, 3)
    cp = checkpoint.sign_checkpoint(any_store, auditor, key, tmp_path / "cp.json")
    assert cp.seq == 3
    with any_store.engine.begin() as conn:
        for table in ("audit_event", "row_digest"):
            conn.execute(sa.text(f"DELETE FROM {table}"))
        conn.execute(sa.text("DELETE FROM meta WHERE key LIKE 'audit%'"))
    assert audit.verify(any_store).ok  # indistinguishable from a new database, from inside it
    result, _ = checkpoint.verify_with_checkpoints(any_store, [tmp_path / "cp.json"])
    assert not result.ok and result.first_bad_seq == 3
    assert "chain ends at event 0" in (result.problem or "")


@pytest.mark.slow
def test_a_forged_or_foreign_checkpoint_is_refused(any_store: Store, auditor: Actor, key: Path, tmp_path: Path) -> None:
    _seed(any_store, auditor, 3)
    path = tmp_path / "cp.json"
    checkpoint.sign_checkpoint(any_store, auditor, key, path)
    doc = json.loads(path.read_text())
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**doc, "hash": "f" * 64}))
    with pytest.raises(checkpoint.CheckpointError, match="signature does not verify"):
        checkpoint.verify_with_checkpoints(any_store, [forged])
    other = runner.invoke(app, ["audit", "keygen", "--out", str(tmp_path / "other.key")])
    assert other.exit_code == 0
    out = runner.invoke(
        app,
        [
            "--db",
            _url(any_store),
            "audit",
            "verify",
            "--checkpoint",
            str(path),
            "--pub",
            str(tmp_path / "other.key.pub"),
        ],
    )
    assert out.exit_code == 2 and "not by the trusted key" in out.output and "Traceback" not in out.output


def test_checkpoints_need_an_auditor_or_panel_and_a_verified_chain(
    any_store: Store, practitioner: Actor, auditor: Actor, key: Path, tmp_path: Path
) -> None:
    _seed(any_store, auditor, 3)
    with pytest.raises(PermissionDenied):
        checkpoint.sign_checkpoint(any_store, practitioner, key, tmp_path / "cp.json")
    with any_store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_event SET actor='x' WHERE seq=2"))
    with pytest.raises(checkpoint.CheckpointError, match="does not verify"):
        checkpoint.sign_checkpoint(any_store, auditor, key, tmp_path / "cp.json")
    assert not (tmp_path / "cp.json").exists()


def test_the_private_key_never_enters_the_database(tmp_path: Path, auditor: Actor, key: Path) -> None:
    db = tmp_path / "p.db"
    store = Store.open(str(db))
    _seed(store, auditor, 2)
    checkpoint.sign_checkpoint(store, auditor, key, tmp_path / "cp.json")
    store.dispose()
    body = "".join(key.read_text().splitlines()[1:-1])
    assert body[:40].encode() not in db.read_bytes()
    # overwriting the checkpoint needs --force, and the key file can never be an output
    again = runner.invoke(
        app,
        [
            "--db",
            str(db),
            "--role",
            "auditor",
            "audit",
            "checkpoint",
            "--key",
            str(key),
            "--out",
            str(tmp_path / "cp.json"),
        ],
    )
    assert again.exit_code == 2 and "--force" in again.output
    forced = runner.invoke(
        app,
        [
            "--db",
            str(db),
            "--role",
            "auditor",
            "audit",
            "checkpoint",
            "--key",
            str(key),
            "--out",
            str(tmp_path / "cp.json"),
            "--force",
        ],
    )
    assert forced.exit_code == 0, forced.output
    with pytest.raises(OutputRefused, match="peermap did not write it"):
        checkpoint.sign_checkpoint(Store.open(str(db)), auditor, key, key)
