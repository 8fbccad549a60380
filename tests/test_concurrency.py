"""Many users at once, as real processes running the CLI (issues 18.2 and 13.7), on SQLite and PostgreSQL.

Each case starts its processes together and then checks what must hold whatever the interleaving: every
process either completes or is refused with a sentence (never a traceback), the audit chain verifies, no
policy version is lost, and a map or report is of the database before or after an import, never half of it.

One run per case by default; PEERMAP_CONCURRENCY_RUNS=20 repeats every case 20 times in a row.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from peermap.engine import audit
from peermap.engine.access import Actor, Role
from peermap.engine.demo import generate
from peermap.engine.ingest import import_tables
from peermap.engine.models import PolicyVersion
from peermap.engine.policy import policy_history
from peermap.engine.store import Store

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("PEERMAP_CONCURRENCY_RUNS", "1"))
TIMEOUT = 600
# the sentences a refused process may end with (anything else with a non-zero exit fails the test)
REFUSALS = (
    "the database is busy",
    "another import is running",
    "the database changed while this import was being checked",
    "conflict: this change was based on policy version",
)

pytestmark = pytest.mark.slow


@dataclass
class Done:
    args: list[str]
    code: int
    out: str
    err: str

    @property
    def refused(self) -> bool:
        return self.code != 0 and any(r in self.err for r in REFUSALS)


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def _together(url: str, commands: list[list[str]]) -> list[Done]:
    """Start every command at once (each a `peermap --db URL ...` process), then wait for all of them."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PEERMAP_LOCK_TIMEOUT": "120", "PEERMAP_NOW": ""}
    env.pop("PEERMAP_NOW")
    procs = [
        (
            cmd,
            subprocess.Popen(
                [sys.executable, "-m", "peermap", "--db", url, *cmd],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                cwd=ROOT,
            ),
        )
        for cmd in commands
    ]
    done = []
    for cmd, p in procs:
        out, err = p.communicate(timeout=TIMEOUT)
        done.append(Done(cmd, p.returncode, out, err))
    for d in done:
        assert "Traceback" not in d.out + d.err, (d.args, d.err[-3000:])
        assert d.code == 0 or d.refused, (d.args, d.code, d.err[-2000:])
    return done


def _write_folder(folder: Path, tables: dict[str, list[dict[str, str]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        if not rows:
            continue
        columns: list[str] = []
        for row in rows:
            columns.extend(k for k in row if k not in columns)
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder


@pytest.fixture(scope="module")
def borough() -> list[dict[str, list[dict[str, str]]]]:
    """The demo borough's monthly batches: the first ones seed the store, the last two are the big import."""
    demo = generate(seed=11, people=150, today=date.today())
    return [tables for _, tables in demo.batches if tables]


def _merge(batches: list[dict[str, list[dict[str, str]]]]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for tables in batches:
        for name, rows in tables.items():
            out.setdefault(name, []).extend(rows)
    return out


def _seed(store: Store, batches: list[dict[str, list[dict[str, str]]]]) -> None:
    actor = Actor("seed", Role.PRACTITIONER)
    for i, tables in enumerate(batches):
        import_tables(store, tables, actor, source=f"seed batch {i}", quarantine_outside_agreement=True)


def _known(url: str, tmp: Path, name: str) -> int:
    """How many young people the map knows now (through the CLI, as a report)."""
    out = tmp / f"{name}.json"
    done = _together(url, [["report", "map", "--format", "json", "--out", str(out)]])
    assert done[0].code == 0
    return int(json.loads(out.read_text())["counts"]["known"])


def _intact(store: Store) -> audit.VerifyResult:
    result = audit.verify(store)
    assert result.ok, result
    return result


def _versions(store: Store) -> list[int]:
    with store.read() as s:
        return [v.version for v in s.exec(select(PolicyVersion).order_by(PolicyVersion.version))]  # type: ignore[arg-type]


RUN = pytest.mark.parametrize("run", range(RUNS))


@RUN
def test_eight_maps_at_once_all_succeed(any_store: Store, borough, run: int) -> None:
    _seed(any_store, borough[:3])
    policy_history(any_store)  # policy version 1 installed, as any first command would
    before = audit.count(any_store)
    done = _together(_url(any_store), [["map", "--json"] for _ in range(8)])
    assert [d.code for d in done] == [0] * 8, [d.err for d in done]
    maps = [json.loads(d.out) for d in done]
    assert all(m == maps[0] for m in maps)  # same database, same map
    assert audit.count(any_store) == before + 8
    assert len(audit.events(any_store, Actor("a", Role.AUDITOR), action="view_map")) == 8
    _intact(any_store)


@RUN
def test_two_panel_commits_from_the_same_version_one_wins_one_is_told(any_store: Store, borough, run: int) -> None:
    _seed(any_store, borough[:2])
    policy_history(any_store)
    url = _url(any_store)
    a = ["--actor", "ann", "--role", "panel", "policy", "set", "--include", "0.8", "--reason", "a", "--based-on", "1"]
    b = [
        "--actor",
        "bob",
        "--role",
        "panel",
        "policy",
        "set",
        "--min-agencies",
        "3",
        "--reason",
        "b",
        "--based-on",
        "1",
    ]
    done = _together(url, [a, b])
    codes = sorted(d.code for d in done)
    assert codes == [0, 3], [(d.code, d.err) for d in done]
    loser = next(d for d in done if d.code == 3)
    assert "preview your change again" in loser.err
    assert _versions(any_store) == [1, 2]
    sets = audit.events(any_store, Actor("a", Role.AUDITOR), action="policy_set")
    winner = next(d for d in done if d.code == 0)
    # The actor is the login (OS or PostgreSQL); --actor is the label recorded beside it.
    assert len(sets) == 1 and json.loads(sets[0].payload)["who"]["label"] == winner.args[1]
    _intact(any_store)


@RUN
def test_a_large_import_with_commits_reports_and_maps_alongside(
    any_store: Store, borough, tmp_path: Path, run: int
) -> None:
    _seed(any_store, borough[:3])
    url = _url(any_store)
    before = _known(url, tmp_path, "before")
    folder = _write_folder(tmp_path / "big", _merge(borough[3:]))
    versions = len(_versions(any_store))
    reports = [tmp_path / f"r{i}.json" for i in range(2)]
    done = _together(
        url,
        [
            ["import", "--quarantine-outside-agreement", str(folder)],
            ["--role", "panel", "policy", "set", "--include", "0.72", "--reason", "during the import"],
            ["report", "map", "--format", "json", "--out", str(reports[0])],
            ["map", "--json"],
            ["report", "map", "--format", "json", "--out", str(reports[1])],
            ["--role", "panel", "policy", "set", "--grey", "0.33", "--reason", "also during the import"],
        ],
    )
    after = _known(url, tmp_path, "after")
    assert after > before
    imported = done[0].code == 0
    for path, d in zip(reports, (done[2], done[4]), strict=True):
        if d.code == 0:
            known = json.loads(path.read_text())["counts"]["known"]
            assert known in (before, after), (known, before, after)  # never half an import
        else:
            assert not path.exists()
    if done[3].code == 0:
        shown = json.loads(done[3].out)
        assert len(shown["people"]) + shown["left_out_count"] in (before, after)
    commits = sum(1 for d in (done[1], done[5]) if d.code == 0)
    assert len(_versions(any_store)) == versions + commits  # no lost version
    assert imported or done[0].refused
    _intact(any_store)


@RUN
def test_two_imports_at_once(any_store: Store, borough, tmp_path: Path, run: int) -> None:
    _seed(any_store, borough[:2])
    url = _url(any_store)
    first = _write_folder(tmp_path / "a", _merge(borough[2:6]))
    second = _write_folder(tmp_path / "b", _merge(borough[2:6]))  # the same rows, from another file
    q = "--quarantine-outside-agreement"
    done = _together(url, [["import", q, str(first)], ["import", q, str(second)]])
    ok = [d for d in done if d.code == 0]
    assert ok, [d.err for d in done]
    for d in done:
        if d.code != 0:
            assert d.refused and ("try again" in d.err or "run the import again" in d.err), d.err
    # whichever order: the rows are stored once, by one import, and the chain holds
    imports = [json.loads(e.payload) for e in audit.events(any_store, Actor("a", Role.AUDITOR), action="import")]
    written = [p for p in imports if not p["source"].startswith("seed batch") and not p["unchanged"]]
    assert len(written) == 1
    _intact(any_store)


@RUN
def test_a_report_while_importing_is_of_before_or_after(any_store: Store, borough, tmp_path: Path, run: int) -> None:
    _seed(any_store, borough[:3])
    url = _url(any_store)
    before = _known(url, tmp_path, "before")
    folder = _write_folder(tmp_path / "big", _merge(borough[3:]))
    out = tmp_path / "during.json"
    done = _together(
        url,
        [
            ["import", "--quarantine-outside-agreement", str(folder)],
            ["report", "map", "--format", "json", "--out", str(out)],
        ],
    )
    after = _known(url, tmp_path, "after")
    if done[1].code == 0:
        assert json.loads(out.read_text())["counts"]["known"] in (before, after)
    else:
        assert not out.exists()
    assert done[0].code == 0 or done[0].refused
    _intact(any_store)
