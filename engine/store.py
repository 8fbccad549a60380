"""Opening the database (SQLite file by default, PostgreSQL by URL) and its schema version."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine, select

from .errors import SchemaVersionError
from .models import SCHEMA_VERSION, Meta

DEFAULT_DB = "peermap.db"


def resolve_url(db: str | None = None) -> str:
    """A SQLAlchemy URL from `--db`, PEERMAP_DB or the default file; plain paths mean SQLite files."""
    raw = db or os.environ.get("PEERMAP_DB") or DEFAULT_DB
    if "://" in raw:
        if raw.startswith("postgresql://"):
            return "postgresql+psycopg://" + raw[len("postgresql://") :]
        return raw
    return f"sqlite:///{Path(raw).expanduser()}"


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
        kwargs: dict[str, object] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False}
        engine = create_engine(url, **kwargs)
        store = cls(engine)
        store._check_or_create(create)
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
        SQLModel.metadata.create_all(self.engine)
        with Session(self.engine) as s:
            s.add(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
            s.commit()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back entirely on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def get_meta(self, key: str) -> str | None:
        with self.read() as s:
            row = s.get(Meta, key)
            return row.value if row else None

    def meta_items(self) -> dict[str, str]:
        with self.read() as s:
            return {m.key: m.value for m in s.exec(select(Meta))}

    def dispose(self) -> None:
        self.engine.dispose()


def set_meta(session: Session, key: str, value: str) -> None:
    """Insert or replace one meta value inside an open transaction."""
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value
        session.add(row)
