"""Faults of the database and the disk, said as one sentence: what is wrong and what to do.

A corrupt, truncated, read-only or full database, an empty file or a missing folder given as `--db`, a
PostgreSQL server that is down: each arrives as a driver exception whose text means little to a practitioner.
`check_url` refuses the bad paths before SQLite can silently create a new database in their place;
`install` rewrites the driver's errors on an engine into `DatabaseFault` with a sentence; `fault_message` does
the same for an exception already raised (the CLI and TUI use it as their last line of defence).

Lock waits, integrity errors and serialisation conflicts are left alone: the store and the writers handle them.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError

from .errors import DatabaseFault

SQLITE_HEADER = b"SQLite format 3\x00"
_LOCK_WORDS = ("database is locked", "database is busy", "database table is locked")
_LEFT_ALONE_STATES = {"55P03", "40P01", "40001"}  # lock timeout, deadlock, serialisation: the store's business


def _where(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or "the in-memory database"
    return parsed.render_as_string(hide_password=True)


def check_url(url: str, *, create: bool = True) -> None:
    """Refuse a URL or SQLite path that is not a database peermap may open or create there (DatabaseFault).

    SQLite turns any missing or empty file into a new database without a word, so a mistyped path, a file
    emptied by a failed copy or a folder that is not there would each silently start an empty map.
    """
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        backend = ""
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseFault(
            f"--db {_where(url)}: peermap keeps its data in a SQLite file (give its path) or in PostgreSQL "
            "(postgresql://user@host/database); other kinds of database are not supported"
        )
    if backend != "sqlite":
        return
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.is_dir():
        raise DatabaseFault(f"--db {path} is a folder, not a database file; give the path of a .db file")
    if not path.parent.is_dir():
        raise DatabaseFault(
            f"--db {path}: the folder {path.parent} does not exist; create it first, or give another path "
            "(peermap creates a new database only in an existing folder)"
        )
    if not path.exists():
        if not create:
            raise DatabaseFault(
                f"--db {path}: no database there (no such file); check the path, or create one with "
                "`peermap import` or `peermap demo`"
            )
        return
    if not path.is_file():
        raise DatabaseFault(f"--db {path} is not a regular file (a device or a pipe?); give the path of a .db file")
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseFault(f"--db {path} cannot be read: {exc.strerror or exc}; check its permissions") from None
    if not head:
        raise DatabaseFault(
            f"--db {path} is an empty file, not a peermap database; nothing was changed. To start a new "
            "database give a path where no file exists yet; if this file should hold data, restore it from a backup"
        )
    if head != SQLITE_HEADER:
        raise DatabaseFault(
            f"--db {path} is not a SQLite database (it is some other kind of file, or its first page is damaged); "
            "nothing was changed. Check the path, or restore the database from a backup"
        )


def _sentence(orig: BaseException, where: str) -> str | None:
    """The sentence for a driver exception, or None when it is not a fault this module explains."""
    text = str(orig).strip()
    low = text.lower()
    state = getattr(orig, "sqlstate", None)
    if state in _LEFT_ALONE_STATES or any(w in low for w in _LOCK_WORDS):
        return None
    if "file is not a database" in low:
        return (
            f"{where} is not a peermap database (not a SQLite file, or its header is damaged); nothing was "
            "changed. Check the --db path, or restore the database from a backup"
        )
    if "malformed" in low or "database corrupt" in low or state == "XX001":
        return (
            f"{where} is damaged (the database reports a malformed or corrupt page); nothing was changed. Restore "
            f"it from a backup (SQLite: `sqlite3 {where} 'PRAGMA integrity_check'` says what is damaged)"
        )
    if "readonly" in low or "read-only" in low or state == "25006":
        return (
            f"{where} is read-only (the file, its folder or the file system): peermap could not write, and every "
            "command writes at least an audit event; nothing was changed. Ask for write access, or work on a copy"
        )
    if "disk is full" in low or "no space left" in low or state == "53100":
        return (
            f"the disk holding {where} is full; the command was undone and nothing was changed. Free some space "
            "and run it again"
        )
    if "disk i/o error" in low or "input/output error" in low or state == "58030":
        return (
            f"a disk error occurred reading or writing {where}; nothing was changed. Check the disk (and that the "
            "file was not removed or truncated while in use), then run the command again"
        )
    if "unable to open database file" in low:
        return (
            f"cannot open {where}: its folder does not exist, or cannot be written (SQLite also needs to create a "
            "journal file beside it); check the path and the folder's permissions"
        )
    if "does not exist" in low and "database" in low:
        return f"{where}: {text.splitlines()[0]}; create the database first, or correct the --db URL"
    if any(w in low for w in ("connection refused", "could not connect", "connection failed", "timeout expired")):
        first = text.splitlines()[0] if text else type(orig).__name__
        return (
            f"cannot connect to the database server {where} ({first}); check that it is running and that the "
            "--db URL (host, port, database name) is right"
        )
    if "authentication failed" in low or "no password supplied" in low:
        return f"the database server {where} refused the login ({text.splitlines()[0]}); check the --db URL"
    return None


_OS_HINTS = {
    errno.ENOSPC: "the disk is full; free some space and run the command again",
    errno.EDQUOT: "the disk quota is used up; free some space and run the command again",
    errno.EROFS: "the file system is read-only; write somewhere else",
    errno.EACCES: "permission denied; check the file's and folder's permissions",
    errno.EPERM: "the operation is not permitted; check the file's and folder's permissions",
    errno.ENOENT: "no such file or folder; check the path (its folder must exist)",
    errno.EISDIR: "that is a folder; give a file name",
    errno.ENOTDIR: "part of the path is a file, not a folder; check the path",
    errno.EIO: "a disk error occurred; check the disk and run the command again",
}


def fault_message(exc: BaseException, url: str | None = None) -> str | None:
    """One sentence for a database or file-system fault, or None when `exc` is none of those."""
    if isinstance(exc, DatabaseFault):
        return str(exc)
    if isinstance(exc, NoSuchModuleError | ArgumentError):
        return f"--db {url or ''}: not a database peermap can open ({exc}); give a file path or postgresql://..."
    if isinstance(exc, DBAPIError) and not isinstance(exc, IntegrityError) and exc.orig is not None:
        return _sentence(exc.orig, _where(url) if url else "the database")
    if isinstance(exc, OSError) and exc.errno in _OS_HINTS:
        name = exc.filename if exc.filename is not None else ""
        target = f"{name}: " if name else ""
        return f"{target}{_OS_HINTS[exc.errno]} ({exc.strerror or os.strerror(exc.errno)})"
    return None


def install(engine: Engine) -> None:
    """Rewrite the engine's driver errors that are faults (not locks, not conflicts) into DatabaseFault."""
    where = _where(engine.url.render_as_string(hide_password=True))

    @event.listens_for(engine, "handle_error")
    def _fault(context: Any) -> None:
        orig = context.original_exception
        if isinstance(context.sqlalchemy_exception, IntegrityError):
            return
        sentence = _sentence(orig, where) if orig is not None else None
        if sentence is not None:
            raise DatabaseFault(sentence) from context.sqlalchemy_exception


def settle(url: str | None) -> None:
    """After a fault on a SQLite file, let SQLite roll back any journal the failed command left behind.

    A command that fails mid-write (a full disk) leaves a "hot" journal that the next reader would roll back;
    doing that now means the file on disk is already back to its state before the command.
    """
    if not url or not url.startswith("sqlite"):
        return
    try:
        database = make_url(url).database
    except ArgumentError:
        return
    if not database or database == ":memory:" or not Path(database).is_file():
        return
    journal = Path(database + "-journal")
    if not journal.exists():
        return
    import sqlite3

    try:
        conn = sqlite3.connect(database, timeout=1)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        pass
