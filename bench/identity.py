"""Identity-matching benchmark on the FEBRL synthetic data sets (not a test): precision, recall, F1, time.

Runs peermap's own matcher (engine.identity) with a field mapping from FEBRL's columns: dedup within
datasets 1, 2 and 3, linkage of 4a against 4b. Prints one JSON line per dataset.

    .venv/bin/python bench/identity.py [--datasets DIR] [--only 3,4]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

from peermap.engine.identity import RecordTable, load_identity_policy, match_records

DEFAULT_DIR = Path(os.environ.get("PEERMAP_DATASETS", Path(__file__).resolve().parents[2] / "shared" / "datasets"))
_ENTITY = re.compile(r"^rec-(\d+)-")


def _dob(raw: str) -> tuple[int, int, int] | None:
    raw = raw.strip()
    if len(raw) != 8 or not raw.isdigit():
        return None
    return int(raw[:4]), int(raw[4:6]), int(raw[6:8])


def febrl_rows(path: Path, source: int = 0) -> list[dict[str, object]]:
    """FEBRL columns onto peermap's matching fields: postcode is the area, street + suburb the address."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh, skipinitialspace=True)
        rows = []
        for r in reader:
            address = " ".join(r[k].strip() for k in ("street_number", "address_1", "address_2", "suburb") if r[k])
            rows.append(
                {
                    "id": r["rec_id"].strip(),
                    "given": r["given_name"],
                    "surname": r["surname"],
                    "date_of_birth": _dob(r["date_of_birth"]),
                    "area": r["postcode"].strip(),
                    "address": address,
                    "source": source,
                }
            )
        return rows


def entity_of(rec_id: str) -> int:
    """FEBRL's ground truth: rec-N-org and rec-N-dup-k are the same person N."""
    found = _ENTITY.match(rec_id)
    if not found:
        raise ValueError(f"not a FEBRL record id: {rec_id!r}")
    return int(found.group(1))


def evaluate(rows: list[dict[str, object]], *, linkage: bool) -> dict[str, object]:
    """Match the rows with the shipped policy: precision, recall and F1 of the proposals, matching seconds."""
    policy = load_identity_policy()
    started = time.perf_counter()
    table = RecordTable.build(rows)
    scored = match_records(table, policy, across_sources=linkage)
    seconds = time.perf_counter() - started
    entity = np.array([entity_of(i) for i in table.ids])
    proposed = scored.probability >= policy.thresholds.propose
    true_pair = entity[scored.left] == entity[scored.right]
    if linkage:
        counts: dict[tuple[int, int], int] = {}
        for e, s in zip(entity, table.source, strict=True):
            counts[(int(e), int(s))] = counts.get((int(e), int(s)), 0) + 1
        total_true = sum(c * counts.get((e, 1 - s), 0) for (e, s), c in counts.items() if s == 0)
    else:
        _, sizes = np.unique(entity, return_counts=True)
        total_true = int((sizes * (sizes - 1) // 2).sum())
    tp = int((proposed & true_pair).sum())
    fp = int((proposed & ~true_pair).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / total_true if total_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "records": len(table),
        "true_pairs": total_true,
        "pairs_compared": scored.stats.pairs,
        "pairs_possible": scored.stats.possible,
        "blocking_recall": round(int(true_pair.sum()) / total_true, 4),
        "proposed": int(proposed.sum()),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "seconds": round(seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--only", default="1,2,3,4", help="comma-separated subset of 1,2,3,4")
    args = ap.parse_args(argv)
    febrl = args.datasets / "febrl"
    if not febrl.exists():
        print(f"FEBRL data not found in {febrl}", file=sys.stderr)
        return 2
    for name in args.only.split(","):
        if name == "4":
            rows = febrl_rows(febrl / "dataset4a.csv", 0) + febrl_rows(febrl / "dataset4b.csv", 1)
            result = evaluate(rows, linkage=True)
            label = "febrl4 (4a x 4b linkage)"
        else:
            result = evaluate(febrl_rows(febrl / f"dataset{name}.csv"), linkage=False)
            label = f"febrl{name} (dedup)"
        print(json.dumps({"dataset": label, **result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
