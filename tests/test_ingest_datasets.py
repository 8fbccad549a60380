"""The public-dataset converter (docs/examples/convert_public_datasets.py) produces importable folders."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from peermap.engine.access import Actor
from peermap.engine.ingest import import_path, summary
from peermap.engine.store import Store

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "examples" / "convert_public_datasets.py"


def _converter() -> ModuleType:
    spec = importlib.util.spec_from_file_location("convert_public_datasets", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_both_datasets_convert_and_import(datasets: Path, tmp_path: Path, practitioner: Actor) -> None:
    conv = _converter()
    assert conv.main([str(datasets), str(tmp_path / "out")]) == 0
    store = Store.open(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        gang = import_path(store, tmp_path / "out" / "london_gang", practitioner)
        assert gang.counts["people"] == 54 and gang.counts["evidence"] == 315
        summits = import_path(store, tmp_path / "out" / "ndrangheta_summits", practitioner)
        assert summits.counts["people"] == 156 and summits.counts["incidents"] == 47
        assert summits.counts["evidence"] == 459
        info = summary(store)
        assert info["tables"]["evidence"] == 315 + 459
        assert {a["agency_id"]: a["kind"] for a in info["agencies"]} == {"met": "police", "surv": "police"}
    finally:
        store.dispose()
    with (tmp_path / "out" / "london_gang" / "evidence.csv").open(encoding="utf-8") as fh:
        text = fh.read()
    assert text.count(",association,") == 182 and text.count(",co_offending,") == 92 + 25 + 16
    people = (tmp_path / "out" / "london_gang" / "people.csv").read_text(encoding="utf-8")
    assert "LG01,London person 01,1989,West Africa,met" in people  # age 20 in 2009, birthplace 1


def test_converter_usage_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert _converter().main([]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "python docs/examples/convert_public_datasets.py" in captured.err
