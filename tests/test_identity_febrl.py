"""FEBRL (public synthetic person records with known duplicates): the matcher's precision and recall."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "bench" / "identity.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("peermap_bench_identity", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_febrl1_dedup_precision_and_recall(datasets: Path) -> None:
    bench = _bench()
    result = bench.evaluate(bench.febrl_rows(datasets / "febrl" / "dataset1.csv"), linkage=False)
    assert result["pairs_compared"] < result["pairs_possible"] / 100
    assert result["precision"] >= 0.97
    assert result["recall"] >= 0.88


def test_febrl4_linkage_sample_precision_and_recall(datasets: Path) -> None:
    bench = _bench()
    rows = [
        r
        for side, name in enumerate(("dataset4a.csv", "dataset4b.csv"))
        for r in bench.febrl_rows(datasets / "febrl" / name, side)
        if bench.entity_of(r["id"]) < 800
    ]
    result = bench.evaluate(rows, linkage=True)
    assert result["true_pairs"] == 800
    assert result["precision"] >= 0.97
    assert result["recall"] >= 0.95
