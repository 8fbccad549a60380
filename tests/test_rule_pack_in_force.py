"""A replay "as at" D scores with the evidence rule pack in force on D, even after a newer pack is shipped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from peermap.engine import clock
from peermap.engine.errors import PolicyError
from peermap.engine.mapping import compute_map, map_json
from peermap.engine.models import RulePackVersion
from peermap.engine.rules import in_force
from peermap.engine.rules.pack import default_pack_path
from peermap.engine.store import Store

DAY1 = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY2 = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _ship(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> None:
    path = tmp_path / f"pack-{abs(hash(text))}.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(in_force, "default_pack_path", lambda: path)


def test_first_use_records_the_shipped_pack(any_store: Store) -> None:
    with clock.frozen(DAY1):
        result = compute_map(any_store, DAY1.date())
    with any_store.read() as s:
        rows = list(s.exec(select(RulePackVersion)))
    assert [r.version for r in rows] == [result.rule_pack_version]
    assert rows[0].text == default_pack_path().read_text(encoding="utf-8")


def test_replay_uses_the_pack_of_its_day_after_an_upgrade(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shipped = default_pack_path().read_text(encoding="utf-8")
    with clock.frozen(DAY1):
        before = map_json(compute_map(store, DAY1.date()))
    upgraded = shipped.replace('version: "2026.2"', 'version: "2027.1"', 1)
    assert upgraded != shipped
    _ship(monkeypatch, tmp_path, upgraded)
    with clock.frozen(DAY2):
        now = compute_map(store, DAY2.date())
        replay = compute_map(store, DAY1.date())
    assert now.rule_pack_version == "2027.1"
    assert replay.rule_pack_version == before["policy"]["rule_pack_version"] == "2026.2"
    assert map_json(replay) == before


def test_a_changed_pack_under_a_recorded_version_is_refused(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with clock.frozen(DAY1):
        compute_map(store, DAY1.date())
    shipped = default_pack_path().read_text(encoding="utf-8")
    _ship(monkeypatch, tmp_path, shipped + "\n# quietly edited\n")
    with pytest.raises(PolicyError, match="give the changed pack a new version"):
        compute_map(store, date(2026, 6, 1))
