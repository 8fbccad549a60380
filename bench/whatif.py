"""What-if benchmark: a threshold preview over a 100,000-person city, against a bare numpy mask.

    .venv/bin/python bench/whatif.py [--people 100000] [--seed 7] [--repeat 15]

Builds the city's evidence (engine.demo.city_evidence), scores it once (engine.rules.scoring.score_links),
then times a panel preview: the inclusion inputs from the LinkTable, status codes under the policy in force
and under a proposed one, and the list of people whose status changes. The baseline is the cheapest
possible numpy pass over the same LinkTable (one threshold comparison). Prints one JSON line:
{preview_ms, bare_mask_ms, ratio, people, links} (medians over --repeat runs; the first, warm-up run is
dropped). The goal is preview_ms < 100.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from peermap.engine.inclusion import prepare_arrays, status_codes
from peermap.engine.policy import load_default_policy, with_changes
from peermap.engine.vocab import NODE_KIND_CODE, ObjectKind

TODAY = date(2026, 11, 28)


def _median_ms(fn: Callable[[], None], repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()

    from peermap.engine.demo import city_evidence
    from peermap.engine.rules.pack import load_rule_pack
    from peermap.engine.rules.scoring import score_links

    t0 = time.perf_counter()
    evidence, nodes = city_evidence(args.people, seed=args.seed, today=TODAY)
    links = score_links(evidence, nodes, load_rule_pack(), TODAY)
    setup_s = time.perf_counter() - t0

    # Which locations are of concern is not part of an EvidenceTable; mark a fixed 60% of them (seeded).
    rng = np.random.default_rng(args.seed)
    is_loc = nodes.kinds == NODE_KIND_CODE[ObjectKind.LOCATION]
    of_concern = is_loc & (rng.random(len(nodes.ids)) < 0.6)

    current = load_default_policy()
    proposed = with_changes(
        current,
        include_threshold=min(1.0, current.include_threshold + 0.05),
        min_agencies=current.min_agencies + 1,
    )
    out: dict[str, object] = {}

    def preview() -> None:
        x = prepare_arrays(links, of_concern, TODAY)
        old = status_codes(x, current)
        new = status_codes(x, proposed)
        out["changed"] = int(np.flatnonzero(old != new).size)

    def bare() -> None:
        out["mask"] = int(np.count_nonzero(links.confidence >= proposed.include_threshold))

    preview_ms = _median_ms(preview, args.repeat)
    bare_ms = _median_ms(bare, args.repeat)
    print(
        json.dumps(
            {
                "preview_ms": round(preview_ms, 2),
                "bare_mask_ms": round(bare_ms, 3),
                "ratio": round(preview_ms / bare_ms, 1) if bare_ms else None,
                "people": nodes.n_people,
                "links": len(links),
                "changed": out["changed"],
                "setup_s": round(setup_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
