"""No debris in reports (issue 16 item 5): every report kind in every format, for every role that may
produce it, on the demo borough, renders only values, never Python or template leftovers."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from test_tui_data import NOW, build_demo_db

from peermap import reports
from peermap.engine import Store, compute_map
from peermap.engine.access import Actor

DEBRIS = [
    re.compile(r"built-in method"),
    re.compile(r"object at 0x[0-9a-f]+"),
    re.compile(r"<function [\w.]+ at"),
    re.compile(r"<bound method"),
    re.compile(r"\bUndefined\b"),
    re.compile(r"jinja2\."),
    re.compile(r"\{\{|\}\}|\{%|%\}"),
    re.compile(r"Traceback"),
]
# "None" where a value belongs: as a table cell, after a colon or alone in an HTML element.
NONE_AS_VALUE = re.compile(r"(\|\s*None\s*\|)|(:\s*None\b)|(>\s*None\s*<)|(\bNone\s*·)|(·\s*None\b)")

ROLES = {"audit": "auditor", "labelling": "auditor", "map": "practitioner", "subject": "auditor"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_db(tmp_path_factory.mktemp("debris") / "demo.db")


@pytest.fixture
def store(demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("PEERMAP_NOW", NOW.isoformat())
    path = tmp_path / "demo.db"
    shutil.copy(demo, path)
    return Store.open(str(path))


def _texts(value: object) -> list[str]:
    """Every string in a JSON document (keys and values)."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (str(k), *_texts(v))]
    if isinstance(value, list):
        return [s for v in value for s in _texts(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("fmt", reports.FORMATS)
@pytest.mark.parametrize("kind", reports.KINDS)
def test_no_template_debris(store: Store, tmp_path: Path, kind: str, fmt: str) -> None:
    actor = Actor.parse("dee", ROLES[kind])
    person = compute_map(store).shown_people()[0].person_id if kind == "subject" else None
    out = tmp_path / f"{kind}.{fmt}"
    reports.produce(store, actor, kind, fmt, out=out, recipient="DPO", person=person)
    text = out.read_text(encoding="utf-8")
    haystack = _texts(json.loads(text)) if fmt == "json" else [text]
    for pattern in DEBRIS:
        found = [m.group(0) for t in haystack for m in pattern.finditer(t)]
        assert not found, f"{kind}.{fmt}: {pattern.pattern} -> {found[:3]}"
    if fmt != "json":  # in JSON, null is a value; as text, "None" is always a Python leftover
        found = [m.group(0) for m in NONE_AS_VALUE.finditer(text)]
        assert not found, f"{kind}.{fmt}: 'None' where a value belongs -> {found[:3]}"


def test_the_debris_patterns_bite() -> None:
    samples = {
        "<built-in method items of dict object at 0x7f3a>": True,
        "| None |": True,
        "<td>None</td>": True,
        "School: None": True,
        "{{ ctx.people }}": True,
        "Nonetheless the group met": False,
        "| none recorded |": False,
    }
    for sample, bad in samples.items():
        hit = any(p.search(sample) for p in DEBRIS) or bool(NONE_AS_VALUE.search(sample))
        assert hit == bad, sample
