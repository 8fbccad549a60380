"""FEBRL (public synthetic person records with known duplicates): the matcher's precision and recall."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "bench" / "identity.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("peermap_bench_identity", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _entity(rec_id: object) -> int:
    found = re.match(r"rec-(\d+)-", str(rec_id))
    assert found
    return int(found.group(1))


def test_febrl1_dedup_precision_and_recall(datasets: Path) -> None:
    bench = _bench()
    result = bench.evaluate(bench.febrl_rows(datasets / "febrl" / "dataset1.csv"), linkage=False)
    assert result["pairs_compared"] < result["pairs_possible"] / 100
    assert result["precision"] >= 0.97
    assert result["recall"] >= 0.88


def test_febrl4_linkage_sample_precision_and_recall(datasets: Path) -> None:
    bench = _bench()
    a = [r for r in bench.febrl_rows(datasets / "febrl" / "dataset4a.csv", 0) if _entity(r["id"]) < 800]
    b = [r for r in bench.febrl_rows(datasets / "febrl" / "dataset4b.csv", 1) if _entity(r["id"]) < 800]
    result = bench.evaluate(a + b, linkage=True)
    assert result["true_pairs"] == 800
    assert result["precision"] >= 0.97
    assert result["recall"] >= 0.95
