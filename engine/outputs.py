"""Files peermap writes: never over an input, never over a file it did not write, never without an audit event.

`audited_output()` is the one way an engine or report function writes a file:

1. `check_output` refuses the database itself and its -journal/-wal/-shm, folders, and any existing file that
   peermap did not write. peermap knows it wrote a file because every output is recorded in the audit trail
   with its absolute path and the SHA-256 of its content: an existing file may be replaced (with `force`)
   only when an audited output of this database names that path and that exact content.
2. The caller's work (reading the data, rendering) happens inside one transaction that already holds the
   audit lock, so no audited change can commit between the read and the event that records it.
3. The content goes to a temporary file beside the target; the event is recorded and committed; only then is
   the temporary file renamed into place. If the audit write fails (locked, read-only or full database) the
   temporary file is removed and no output appears.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from . import audit
from .access import Actor
from .errors import OutputRefused
from .models import AuditEvent
from .policy import ensure_default
from .rules.in_force import record_shipped_pack
from .store import Store

# audit actions whose payload records a written file as {"out": absolute path, "digest": sha256}
OUTPUT_ACTIONS = ("report", "export", "audit.checkpoint")
SQLITE_COMPANIONS = ("", "-journal", "-wal", "-shm")


def _digest_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def database_files(url: str) -> list[Path]:
    """The SQLite database file and the journal, WAL and shared-memory files beside it (none for PostgreSQL)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database or parsed.database == ":memory:":
        return []
    db = Path(parsed.database).expanduser().resolve()
    return [Path(str(db) + suffix) for suffix in SQLITE_COMPANIONS]


def _refuse_database(url: str, out: Path | str, resolved: Path) -> None:
    files = database_files(url)
    for db_file in files:
        if _same_file(resolved, db_file):
            what = "the peermap database" if db_file == files[0] else f"a file of the peermap database {files[0].name}"
            raise OutputRefused(f"--out {out}: that is {what}; writing there would destroy it. Choose another file.")


def check_unaudited_output(url: str, out: Path | str, *, force: bool = False) -> Path:
    """For outputs holding no data from the database (the interchange JSON Schema): never the database or
    its journal files, never a folder, and an existing file only with `force`."""
    path = Path(out).expanduser()
    resolved = path.resolve()
    _refuse_database(url, out, resolved)
    if resolved.is_dir():
        raise OutputRefused(f"--out {out}: that is a folder; give a file name inside it")
    if (resolved.exists() or resolved.is_symlink()) and not force:
        raise OutputRefused(f"--out {out}: the file exists; add --force to replace it")
    return resolved


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a == b or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def written_by_peermap(store: Store, path: Path) -> AuditEvent | None:
    """The audited output that wrote `path` with exactly its current content, if any."""
    target = str(path.resolve())
    digest = _digest_file(path)
    with store.read() as s:
        events = s.exec(
            select(AuditEvent).where(col(AuditEvent.action).in_(OUTPUT_ACTIONS)).order_by(col(AuditEvent.seq).desc())
        )
        for ev in events:
            try:
                payload = json.loads(ev.payload)
            except ValueError:
                continue
            if isinstance(payload, dict) and payload.get("out") == target and payload.get("digest") == digest:
                return ev
    return None


def check_output(store: Store, out: Path | str, *, force: bool = False) -> Path:
    """The absolute path to write, or OutputRefused saying why not and what to do."""
    path = Path(out).expanduser()
    resolved = path.resolve()
    _refuse_database(store.engine.url.render_as_string(hide_password=False), out, resolved)
    if resolved.is_dir():
        raise OutputRefused(f"--out {out}: that is a folder; give a file name inside it")
    if resolved.exists() or resolved.is_symlink():
        if not resolved.is_file():
            raise OutputRefused(f"--out {out}: that is not a regular file; choose another path")
        wrote = written_by_peermap(store, resolved)
        if wrote is None:
            raise OutputRefused(
                f"--out {out}: the file exists and peermap did not write it (no audited output of this database "
                "has that path and content), so it is left alone. Choose a new file name."
            )
        if not force:
            raise OutputRefused(
                f"--out {out}: the file exists (written by peermap, audit event {wrote.seq}, {wrote.action} at "
                f"{wrote.at}); add --force to replace it"
            )
    return resolved


def write_atomic(path: Path, data: bytes | str, mode: int = 0o644) -> str:
    """Write via a temporary file beside `path` and rename: a reader never sees half a file. Returns sha256."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return hashlib.sha256(raw).hexdigest()


@dataclass
class PendingOutput:
    """Inside `audited_output`: `write()` stages the content and records the event; the file appears on commit."""

    session: Session
    actor: Actor
    action: str
    path: Path | None  # None: the content goes to standard output after the commit
    head: tuple[int, str]  # (seq, hash) of the newest event when the output was produced
    tmp: Path | None = None
    event: AuditEvent | None = None
    digest: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def write(self, data: bytes | str, payload: dict[str, Any]) -> AuditEvent:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.digest = hashlib.sha256(raw).hexdigest()
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            self.tmp = Path(tmp)
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)  # outputs name young people: readable by their owner only
        out = str(self.path) if self.path is not None else None
        self.event = audit.record(self.session, self.actor, self.action, {**payload, "out": out, "digest": self.digest})
        return self.event


def record_first_use(store: Store) -> None:
    """Write what reading the map records on first use (policy version 1, the shipped rule pack) now, before
    the audit lock is held: written from another connection under the lock, it would wait on itself."""
    ensure_default(store)
    record_shipped_pack(store)


@contextmanager
def audited_output(
    store: Store, actor: Actor, action: str, out: Path | str | None, *, force: bool = False, reads_map: bool = True
) -> Iterator[PendingOutput]:
    """Check `out`, hold the audit lock while the caller reads and renders, then commit and place the file.

    With `out` None the caller prints the content itself, after the block: the event has committed by then.
    `reads_map`: the block computes a map, so what that records on first use is recorded first.
    """
    path = check_output(store, out, force=force) if out is not None else None
    if reads_map:
        record_first_use(store)
    pending: PendingOutput | None = None
    try:
        with store.transaction() as s:
            audit.lock_head(s)
            pending = PendingOutput(s, actor, action, path, audit.read_head(s))
            yield pending
            if pending.event is None:
                raise RuntimeError("audited_output: the block ended without write()")
        if path is not None:
            assert pending.tmp is not None
            os.replace(pending.tmp, path)
    finally:
        if pending is not None and pending.tmp is not None and pending.tmp.exists():
            pending.tmp.unlink()
