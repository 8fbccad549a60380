"""The engine's clock, so tests and the demo can fix 'now' (PEERMAP_NOW=ISO datetime)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time

_fixed: ContextVar[datetime | None] = ContextVar("peermap_fixed_now", default=None)


def now() -> datetime:
    """Current time, timezone-aware UTC (as stored), honouring a fixed clock."""
    fixed = _fixed.get()
    if fixed is not None:
        return fixed
    env = os.environ.get("PEERMAP_NOW")
    if env:
        return as_utc(datetime.fromisoformat(env))
    return datetime.now(UTC)


def as_utc(at: datetime) -> datetime:
    """The one "make this UTC" helper: a naive datetime is taken as UTC; an aware one is converted."""
    return at.replace(tzinfo=UTC) if at.utcoffset() is None else at.astimezone(UTC)


def end_of_day(d: date) -> datetime:
    """The last instant of day `d` in UTC: what was known "as at" d is what was recorded by then."""
    return datetime.combine(d, time.max, tzinfo=UTC)


def today() -> date:
    return now().date()


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Fix the clock at `at` inside the block."""
    token = _fixed.set(as_utc(at))
    try:
        yield
    finally:
        _fixed.reset(token)
