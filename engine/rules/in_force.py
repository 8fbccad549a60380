"""Which evidence rule pack was in force on a date: each pack version is recorded the first time it is used.

A replay "as at" D must score as the partnership did on D, even after peermap has shipped a newer pack. The
database keeps the text of every pack version it has scored with and when it first did; the pack in force at
the end of D is the latest one recorded by then (before the first recording: the earliest one).
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import lru_cache

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from .. import clock
from ..errors import PolicyError
from ..models import RulePackVersion
from ..policy_files import fast_yaml
from ..store import Store
from .pack import RulePack, default_pack_path, parse_rule_pack


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=8)
def _parse(text: str, source: str) -> RulePack:
    return parse_rule_pack(fast_yaml(text), source)


def record_shipped_pack(store: Store) -> RulePackVersion:
    """Record the shipped pack (version and text) unless recorded; refuse a changed pack under an old version."""
    path = default_pack_path()
    text = path.read_text(encoding="utf-8")
    pack = _parse(text, str(path))
    digest = _digest(text)
    with store.read() as s:
        row = s.get(RulePackVersion, pack.version)
    if row is None:
        try:
            with store.transaction() as s:
                row = RulePackVersion(version=pack.version, digest=digest, text=text, recorded_at=clock.now())
                s.add(row)
        except IntegrityError:  # another process recorded it first
            with store.read() as s:
                row = s.get(RulePackVersion, pack.version)
    assert row is not None
    if row.digest != digest:
        raise PolicyError(
            f"{path}: rule pack version {pack.version} differs from the pack of the same version this database "
            f"first used on {row.recorded_at:%Y-%m-%d}; give the changed pack a new version so past maps replay"
        )
    return row


def pack_in_force(store: Store, as_at: date) -> RulePack:
    """The evidence rule pack in force at the end of `as_at` (recording the shipped pack if it is new)."""
    record_shipped_pack(store)
    with store.read() as s:
        rows = list(s.exec(select(RulePackVersion).order_by(col(RulePackVersion.recorded_at))))
    cutoff = clock.end_of_day(as_at)
    in_force = [r for r in rows if r.recorded_at <= cutoff] or rows[:1]
    chosen = in_force[-1]
    return _parse(chosen.text, f"rule pack {chosen.version} (recorded {chosen.recorded_at:%Y-%m-%d})")
