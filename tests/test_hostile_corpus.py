"""The hostile corpus (tests/data/hostile/): every case through the real CLI, on SQLite and PostgreSQL.

Each folder holds a `case.txt`: a first comment line saying what the case is, then
    make=BUILDER          inputs built at test time by tests/hostile_cases.py (bombs are never committed)
    path=FILE             what to import (in the case folder or the built folder); the command is `import FILE`
    args=...              another command instead ({work} is the case's scratch folder)
    db=sqlite|pg          only on one database (default: both)
    setup=NAME            how the database is broken (default: a database holding tests/data/good)
    limits=a.b=N,...      import limits lowered for this case (a copy of policies/import-limits.yaml)
    env=NAME=VALUE        extra environment
    exit=N                the exit status
    stderr=TEXT           a sentence that must be in stderr (repeatable)
    problem=file|row|field|reason   a problem that must be reported ('-' for none; repeatable)
Every case must also: print no "Traceback" and no "unexpected fault", let no raw control character reach the
terminal, leave the database unchanged (SQLite: the file's sha256 and no new files; PostgreSQL: row counts
and an md5 of every table), and stay under a memory ceiling (RLIMIT_AS) and a peak-RSS bound.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from conftest import PG_BASE, PG_HINT
from hostile_cases import BUILDERS

from peermap.engine import Actor, Role, Store, import_path

HERE = Path(__file__).parent
ROOT = HERE.parent
CORPUS = HERE / "data" / "hostile"
GOOD = HERE / "data" / "good"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())
RUNNER = HERE / "hostile_run.py"
AS_LIMIT = 3 * 1024**3  # address space: imports of numpy/scikit-learn map ~1.5 GB before reading anything
RSS_LIMIT_KB = 600 * 1024  # peak resident memory of any case: a bomb must not be held in memory
UNSAFE_OUTPUT = [chr(c) for c in (*range(0, 9), *range(11, 32), *range(0x7F, 0xA0))] + ["\u202e", "\u200b"]


@dataclass
class Case:
    name: str
    folder: Path
    what: str = ""
    make: str | None = None
    path: str | None = None
    args: str | None = None
    db: str = "both"
    setup: str = "good"
    limits: dict[str, int] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    exit: int = 1
    stderr: list[str] = field(default_factory=list)
    problems: list[tuple[str, int | None, str | None, str]] = field(default_factory=list)


def read_case(folder: Path) -> Case:
    case = Case(folder.name, folder)
    for line in (folder / "case.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("# ") and not case.what:
            case.what = line[2:]
            continue
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        if key in ("make", "path", "args", "db", "setup"):
            setattr(case, key, value)
        elif key == "limits":
            for item in value.split(","):
                k, _, v = item.partition("=")
                case.limits[k.strip()] = int(v)
        elif key == "env":
            k, _, v = value.partition("=")
            case.env[k] = v
        elif key == "exit":
            case.exit = int(value)
        elif key == "stderr":
            case.stderr.append(value)
        elif key == "problem":
            f, r, fld, reason = value.split("|", 3)
            case.problems.append((f, None if r == "-" else int(r), None if fld == "-" else fld, reason))
        else:
            raise ValueError(f"{folder.name}/case.txt: unknown key {key!r}")
    return case


ALL = [read_case(c) for c in CASES]


def test_corpus_has_at_least_fifty_new_cases_each_saying_what_it_checks() -> None:
    assert len(ALL) >= 50
    for case in ALL:
        assert case.what, f"{case.name}: the first line of case.txt says what the case is"
        assert case.stderr or case.problems, f"{case.name}: expects no message"
        assert case.make is None or case.make in BUILDERS, f"{case.name}: unknown builder {case.make}"


# -- databases ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def good_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("template") / "good.db"
    store = Store.open(f"sqlite:///{db}")
    import_path(store, GOOD, Actor("corpus.setup", Role.PRACTITIONER))
    store.dispose()
    return db


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mount(where: Path, options: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    return run.returncode == 0


def _umount(where: Path) -> None:
    subprocess.run(["umount", str(where)], capture_output=True)


class SqliteTarget:
    """A SQLite --db prepared as the case says, and how to tell it is unchanged."""

    def __init__(self, case: Case, work: Path, good: Path) -> None:
        self.work = work
        self.folder = work / "db"
        self.folder.mkdir()
        self.path = self.folder / "peermap.db"
        self.mounted: Path | None = None
        self.url: str = str(self.path)
        self.lock: sqlite3.Connection | None = None
        setup = case.setup
        if setup in ("good", "locked"):
            shutil.copy(good, self.path)
        elif setup == "empty_file":
            self.path.write_bytes(b"")
        elif setup == "folder":
            self.path.mkdir()
        elif setup == "missing_folder":
            self.path = self.folder / "no" / "such" / "peermap.db"
            self.url = str(self.path)
        elif setup == "missing_file":
            pass
        elif setup == "random_bytes":
            self.path.write_bytes(os.urandom(8192))
        elif setup == "truncated":
            data = good.read_bytes()
            self.path.write_bytes(data[: len(data) // 3])
        elif setup == "corrupt_pages":
            data = bytearray(good.read_bytes())
            for i in range(4096, len(data) - 4096, 4096):
                data[i + 8 : i + 200] = b"\xa5" * 192
            self.path.write_bytes(bytes(data))
        elif setup == "other_application":
            BUILDERS["db_other_application"](self.folder)
            self.path = self.folder / "other.db"
            self.url = str(self.path)
        elif setup == "newer_schema":
            shutil.copy(good, self.path)
            conn = sqlite3.connect(self.path)
            conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
            conn.commit()
            conn.close()
        elif setup in ("read_only_mount", "full_disk"):
            mnt = work / "mnt"
            size = "size=4m" if setup == "read_only_mount" else "size=400k"
            if not _mount(mnt, size):
                pytest.skip("cannot mount a tmpfs here (needs root): the read-only / full-disk case was not run")
            self.mounted = mnt
            self.path = mnt / "peermap.db"
            self.url = str(self.path)
            shutil.copy(good, self.path)
            os.chmod(self.path, 0o600)
            if setup == "read_only_mount":
                subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        elif setup.startswith("url:"):
            self.url = setup[4:]
        else:
            raise ValueError(f"unknown setup {setup!r}")
        if self.path.is_file() and self.mounted is None:
            os.chmod(self.path, 0o600)  # private, as peermap requires of a database file: the fault is the content
        self.before = self.fingerprint()
        if setup == "locked":
            # Taken after the fingerprint: closing any descriptor of the file in this process (as reading it
            # for the digest does) would drop SQLite's POSIX locks.
            self.lock = sqlite3.connect(self.path, isolation_level=None)
            self.lock.execute("BEGIN EXCLUSIVE")

    def fingerprint(self) -> tuple[object, ...]:
        where = self.path.parent if self.path.parent.exists() else self.folder
        files = sorted(p.name for p in where.iterdir()) if where.exists() else []
        digest = sha256(self.path) if self.path.is_file() else None
        return (digest, files, self.path.exists())

    def close(self) -> None:
        if self.lock is not None:
            self.lock.rollback()
            self.lock.close()
        if self.mounted is not None:
            _umount(self.mounted)


def _pg_fingerprint(url: str, schema: str) -> dict[str, tuple[int, str]]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"), {"s": schema}
            ).scalars()
            out = {}
            for t in sorted(tables):
                row = conn.execute(
                    sa.text(
                        "SELECT count(*), md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) "
                        f'FROM "{schema}"."{t}" x'
                    )
                ).one()
                out[t] = (row[0], row[1])
            return out
    finally:
        engine.dispose()


class PgTarget:
    def __init__(self, case: Case) -> None:
        import sqlalchemy as sa

        self.schema = "h_" + uuid.uuid4().hex[:12]
        self.admin = sa.create_engine(PG_BASE)
        with self.admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {self.schema}"))
        self.store_url = f"{PG_BASE}?options=-csearch_path%3D{self.schema}"
        self.url = self.store_url
        self.lock_conn = None
        if case.setup.startswith("url:"):
            self.url = case.setup[4:]
        store = Store.open(self.store_url)
        import_path(store, GOOD, Actor("corpus.setup", Role.PRACTITIONER))
        store.dispose()
        self.before = self.fingerprint()  # before the lock: reading a locked table would wait for ever
        if case.setup == "locked":
            self.lock_conn = self.admin.connect()
            self.lock_conn.execute(sa.text(f"LOCK TABLE {self.schema}.young_person IN ACCESS EXCLUSIVE MODE"))

    def fingerprint(self) -> dict[str, tuple[int, str]]:
        return _pg_fingerprint(PG_BASE, self.schema)

    def close(self) -> None:
        import sqlalchemy as sa

        if self.lock_conn is not None:
            self.lock_conn.rollback()
            self.lock_conn.close()
        with self.admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {self.schema} CASCADE"))
        self.admin.dispose()


# -- running a case -----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    rss_kb: int


def run_cli(args: list[str], work: Path, env_extra: dict[str, str], timeout: float = 180) -> Outcome:
    rss_file = work / "rss.txt"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PEERMAP_NOW": "2026-11-28T09:00:00+00:00",
        "PEERMAP_FAULT_LOG": str(work / "faults.log"),
        "PEERMAP_LOCK_TIMEOUT": "5",
        "HOSTILE_RSS_FILE": str(rss_file),
        "HOSTILE_AS_LIMIT": str(AS_LIMIT),
        "COLUMNS": "120",
        **env_extra,
    }
    env.pop("PEERMAP_DEBUG", None)
    run = subprocess.run(
        [sys.executable, str(RUNNER), *args],
        capture_output=True,
        timeout=timeout,
        env=env,
        cwd=work,
        stdin=subprocess.DEVNULL,
    )
    rss = int(rss_file.read_text()) if rss_file.exists() else 0
    return Outcome(run.returncode, run.stdout.decode("utf-8", "replace"), run.stderr.decode("utf-8", "replace"), rss)


def _limits_file(case: Case, work: Path) -> str:
    shipped = ROOT / "policies" / "import-limits.yaml"
    data = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    for dotted, value in case.limits.items():
        section, key = dotted.split(".")
        data[section][key] = value
    out = work / "import-limits.yaml"
    out.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(out)


def _problem_line(stderr: str, file: str, row: int | None, fld: str | None, reason: str) -> bool:
    prefix = file + (f":{row}" if row is not None else "") + (f" [{fld}]" if fld else "") + ": "
    return any(line.startswith(prefix) and reason in line for line in stderr.splitlines())


def run_case(case: Case, work: Path, db_url: str) -> Outcome:
    inputs = work / "in"
    inputs.mkdir()
    if case.make:
        BUILDERS[case.make](inputs)
    env = dict(case.env)
    if case.limits:
        env["PEERMAP_IMPORT_LIMITS"] = _limits_file(case, work)
    if case.args:
        args = case.args.replace("{work}", str(work)).split()
    else:
        assert case.path, f"{case.name}: needs path= or args="
        target = (
            inputs / case.path
            if (inputs / case.path).exists() or (inputs / case.path).is_symlink()
            else case.folder / case.path
        )
        args = ["import", str(target)]
    return run_cli(["--db", db_url, "--actor", "corpus.tester", *args], work, env)


def check(case: Case, out: Outcome) -> None:
    said = out.stdout + out.stderr
    assert "Traceback" not in said, f"{case.name}: a traceback reached the user:\n{said[-3000:]}"
    assert "unexpected fault" not in said, f"{case.name}: ended in the last-resort guard:\n{said[-2000:]}"
    assert out.code == case.exit, f"{case.name}: exit {out.code}, expected {case.exit}\n{said[-2000:]}"
    for text in case.stderr:
        assert text in out.stderr, f"{case.name}: {text!r} not in stderr:\n{out.stderr[-2000:]}"
    for file, row, fld, reason in case.problems:
        assert _problem_line(out.stderr, file, row, fld, reason), (
            f"{case.name}: expected {file}:{row} [{fld}] ~ {reason!r}; stderr:\n{out.stderr[-2000:]}"
        )
    raw = [f"U+{ord(c):04X}" for c in UNSAFE_OUTPUT if c in said]
    assert not raw, f"{case.name}: raw control characters reached the terminal: {raw}"
    assert 0 < out.rss_kb < RSS_LIMIT_KB, f"{case.name}: peak memory {out.rss_kb // 1024} MB"


def _ids(cases: list[Case]) -> list[str]:
    return [c.name for c in cases]


SQLITE_CASES = [c for c in ALL if c.db in ("both", "sqlite")]
PG_CASES = [c for c in ALL if c.db in ("both", "pg")]


@pytest.mark.slow  # each case runs the CLI in a fresh process
@pytest.mark.parametrize("case", SQLITE_CASES, ids=_ids(SQLITE_CASES))
def test_hostile_case_on_sqlite(case: Case, tmp_path: Path, good_sqlite: Path) -> None:
    target = SqliteTarget(case, tmp_path, good_sqlite)
    try:
        out = run_case(case, tmp_path, target.url)
        check(case, out)
        if target.lock is not None:
            target.lock.rollback()
            target.lock.close()
            target.lock = None
        assert target.fingerprint() == target.before, f"{case.name}: the database (or its folder) changed"
    finally:
        target.close()


@pytest.fixture
def pg_enabled() -> Iterator[None]:
    if not os.environ.get("PEERMAP_TEST_PG"):
        pytest.skip(PG_HINT)
    yield


@pytest.mark.pg
@pytest.mark.slow  # each case runs the CLI in a fresh process
@pytest.mark.parametrize("case", PG_CASES, ids=_ids(PG_CASES))
def test_hostile_case_on_postgresql(case: Case, tmp_path: Path, pg_enabled: None) -> None:
    target = PgTarget(case)
    try:
        out = run_case(case, tmp_path, target.url)
        check(case, out)
        if target.lock_conn is not None:
            target.lock_conn.rollback()
        assert target.fingerprint() == target.before, f"{case.name}: the database changed"
    finally:
        target.close()
