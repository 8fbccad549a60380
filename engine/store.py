"""Opening the database (SQLite file by default, PostgreSQL by URL) and its schema version."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, create_engine

from . import db_faults
from .errors import DatabaseBusy, PermissionDenied, SchemaVersionError
from .models import SCHEMA_VERSION, Meta
from .pg_schema import install_append_function

DEFAULT_DB = "peermap.db"
DEFAULT_LOCK_TIMEOUT = 30.0  # seconds; PEERMAP_LOCK_TIMEOUT overrides
WRITE = "peermap_write"  # execution option: this connection's transaction will write


def lock_timeout() -> float:
    """How long a command waits for another's lock before giving up with a message (PEERMAP_LOCK_TIMEOUT)."""
    raw = os.environ.get("PEERMAP_LOCK_TIMEOUT")
    try:
        value = float(raw) if raw else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        value = DEFAULT_LOCK_TIMEOUT
    return max(0.1, value)


def _is_lock_wait(exc: OperationalError) -> bool:
    """SQLite's busy/locked, PostgreSQL's lock_timeout (55P03) and deadlock (40P01)."""
    code = getattr(exc.orig, "sqlstate", None)
    if code in ("55P03", "40P01"):
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


def busy_error() -> DatabaseBusy:
    return DatabaseBusy(
        f"the database is busy: another peermap process (an import, a policy commit or a report) held it for "
        f"more than {lock_timeout():g} s; this command changed nothing. Try again when it has finished "
        "(PEERMAP_LOCK_TIMEOUT sets how long to wait)."
    )


def _configure(engine: Engine) -> None:
    """Transactions that say what they will do, and lock waits that end.

    SQLite: the driver's own implicit transactions are turned off so that a writing transaction starts with
    BEGIN IMMEDIATE (it takes the write lock first, so two writers queue instead of failing on upgrade, and
    audit sequence numbers cannot collide) and a reading session with BEGIN (one consistent view for the
    whole map). PostgreSQL: lock waits end after the lock timeout instead of hanging.
    """
    timeout = lock_timeout()
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None
            dbapi_conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")

    elif engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def _pg_connect(dbapi_conn: Any, _record: Any) -> None:
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET lock_timeout = {int(timeout * 1000)}")
            dbapi_conn.commit()


def resolve_url(db: str | None = None) -> str:
    """A SQLAlchemy URL from `--db`, PEERMAP_DB or the default file; plain paths mean SQLite files."""
    raw = db or os.environ.get("PEERMAP_DB") or DEFAULT_DB
    if "://" in raw:
        if raw.startswith("postgresql://"):
            return "postgresql+psycopg://" + raw[len("postgresql://") :]
        return raw
    return f"sqlite:///{Path(raw).expanduser()}"


def sqlite_path(url: str) -> Path | None:
    """The file of a sqlite:/// URL (None for in-memory databases and other engines)."""
    if not url.startswith("sqlite"):
        return None
    raw = url.split(":///", 1)[1] if ":///" in url else ""
    raw = raw.split("?", 1)[0]
    if not raw or raw == ":memory:":
        return None
    return Path(raw)


def guard_sqlite_file(path: Path, create: bool) -> None:
    """A SQLite file is one analyst's workbook: create it mode 0600, refuse one other users can read or write.

    Creating the (empty) file ourselves, before SQLite does, means there is no moment when it exists with
    the umask's wider mode.
    """
    if not path.exists():
        if not create:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            pass
        except OSError as exc:
            raise SchemaVersionError(f"cannot create {path}: {exc.strerror or exc}") from None
        else:
            os.close(fd)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise PermissionDenied(
            f"{path} can be read or written by other users of this machine (mode {mode:04o}); a peermap "
            f"database holds children's safeguarding data: make it private with `chmod 600 {path}`"
        )


class Store:
    """A peermap database. Every `transaction()` is one all-or-nothing unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @classmethod
    def open(cls, db: str | None = None, *, create: bool = True) -> Store:
        """Open (and, if empty, initialise) a database; refuse one written by another schema version."""
        url = resolve_url(db)
        db_faults.check_url(url, create=create)
        kwargs: dict[str, object] = {}
        path = sqlite_path(url)
        created = path is not None and not path.exists()
        if path is not None:
            guard_sqlite_file(path, create)
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False}
        engine = create_engine(url, **kwargs)
        _configure(engine)
        db_faults.install(engine)
        store = cls(engine)
        try:
            store._check_or_create(create)
        except OperationalError as exc:
            engine.dispose()
            if _is_lock_wait(exc):
                raise busy_error() from exc
            raise
        except BaseException:
            engine.dispose()
            if created and path is not None and path.exists() and path.stat().st_size == 0:
                path.unlink()  # the empty private file made for this database: leave nothing behind
            raise
        return store

    def _check_or_create(self, create: bool) -> None:
        tables = set(inspect(self.engine).get_table_names())
        if "meta" in tables:
            with Session(self.engine) as s:
                row = s.get(Meta, "schema_version")
            found = row.value if row else "none"
            if found != str(SCHEMA_VERSION):
                raise SchemaVersionError(
                    f"{self.url} holds peermap schema version {found}; this peermap reads version "
                    f"{SCHEMA_VERSION}. Open it with the peermap release that wrote it, or export and re-import."
                )
            missing = set(SQLModel.metadata.tables) - tables
            if missing:
                raise SchemaVersionError(
                    f"{self.url} is missing tables {sorted(missing)}: not a complete peermap database"
                )
            return
        if tables:
            raise SchemaVersionError(
                f"{self.url} is not a peermap database (it has tables {sorted(tables)[:5]} but no meta)"
            )
        if not create:
            raise SchemaVersionError(f"{self.url} has no peermap database")
        with self.engine.begin() as conn:
            SQLModel.metadata.create_all(conn)
            conn.execute(Meta.__table__.insert(), {"key": "schema_version", "value": str(SCHEMA_VERSION)})  # type: ignore[attr-defined]
            if self.is_postgresql:
                install_append_function(conn)

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back entirely on error.

        On SQLite it holds the write lock from its start (BEGIN IMMEDIATE); a lock wait longer than the lock
        timeout ends in DatabaseBusy, with nothing changed.
        """
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                session.connection(execution_options={WRITE: True})
                yield session
                session.commit()
            except OperationalError as exc:
                session.rollback()
                if _is_lock_wait(exc):
                    raise busy_error() from exc
                raise
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only, seeing one consistent state of the database throughout.

        (SQLite: one deferred transaction; PostgreSQL: REPEATABLE READ), so a map is never computed from
        half of an import that commits while it is being read.
        """
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                if self.engine.dialect.name == "postgresql":
                    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                yield session
            except OperationalError as exc:
                if _is_lock_wait(exc):
                    raise busy_error() from exc
                raise

    def get_meta(self, key: str) -> str | None:
        with self.read() as s:
            row = s.get(Meta, key)
            return row.value if row else None

    def dispose(self) -> None:
        self.engine.dispose()


def lock_writers(session: Session) -> None:
    """Serialise writers that must see each other's rows (PostgreSQL: a transaction-scoped advisory lock,
    which needs no UPDATE privilege; SQLite serialises writers itself)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '/peermap-writers'))"))


def set_meta(session: Session, key: str, value: str) -> None:
    """Insert or replace one meta value inside an open transaction."""
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value
        session.add(row)
