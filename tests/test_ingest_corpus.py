"""The bad-input corpus: each folder in tests/data/bad/ is rejected with its expected problem; no change.

Each folder is named for how it is broken and holds an `expected.txt`: optional `path=<file>` (what to import;
default the folder), then one `file|row|field|reason substring` line per problem that must be reported
('-' for none). Every case is imported into a store that already holds tests/data/good/.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from peermap.engine.access import Actor
from peermap.engine.errors import ImportRejected, InputProblem
from peermap.engine.ingest import import_path
from peermap.engine.store import Store

DATA = Path(__file__).parent / "data"
CASES = sorted(p for p in (DATA / "bad").iterdir() if p.is_dir())


def _expectations(case: Path) -> tuple[Path, list[tuple[str, int | None, str | None, str]]]:
    target = case
    expected = []
    for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("path="):
            target = case / line.removeprefix("path=")
            continue
        file, row, field, reason = line.split("|", 3)
        expected.append((file, None if row == "-" else int(row), None if field == "-" else field, reason))
    return target, expected


def _matches(p: InputProblem, file: str, row: int | None, field: str | None, reason: str) -> bool:
    return p.file == file and p.row == row and p.field == field and reason in p.reason


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 22
    for case in CASES:
        _, expected = _expectations(case)
        assert expected, f"{case.name}/expected.txt names no problem"


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_rejected_and_changes_nothing(case: Path, tmp_path: Path, practitioner: Actor) -> None:
    db = tmp_path / "peermap.db"
    store = Store.open(f"sqlite:///{db}")
    try:
        import_path(store, DATA / "good", practitioner)
        before = hashlib.sha256(db.read_bytes()).hexdigest()
        target, expected = _expectations(case)
        with pytest.raises(ImportRejected) as info:
            import_path(store, target, practitioner)
        found = info.value.problems
        for file, row, field, reason in expected:
            assert any(_matches(p, file, row, field, reason) for p in found), (
                f"expected {file}:{row} [{field}] ~ {reason!r}; got:\n" + "\n".join(map(str, found))
            )
        assert "nothing written" in str(info.value)
    finally:
        store.dispose()
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before, "a rejected import changed the database file"
