"""Scoring benchmark: every link of a 100,000-person city, against a bare numpy pass and plain Python.

    .venv/bin/python bench/score.py [--people 100000] [--seed 7] [--repeat 5] [--sample 20000]

Builds the city's evidence directly as arrays (engine.demo.city_evidence: ~10 items per young person, no
database), then times:

* score_seconds - engine.rules.scoring.score_links over all items (rule matching, per-item opinions,
  same-origin averaging, cumulative fusion, conflict, counts, dates);
* bare_seconds - the cheapest numpy pass doing only the core arithmetic over the same arrays: look up each
  item's pre-ageing opinion in a table by its grading key, decay it, convert to evidence counts, group by
  (link, agency, origin) with one sort, average within origins and sum across them;
* python_seconds_extrapolated - the same rules applied item by item in plain Python
  (engine.rules.trace.reference_link_opinions) on a random sample of --sample items, scaled to the city.

Prints one JSON line with those, their ratio, the speed-up over plain Python and peak memory (process
maximum RSS, and the largest numpy/Python allocation peak during one scoring run via tracemalloc).
Timings are the best of --repeat runs after a warm-up run, as wall-clock and as CPU time (the machine
may be shared: the CPU-time ratio is the steadier one; the load average is printed). Goals: ratio <= 2,
score_seconds < 3, peak RSS < 2 GB on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from peermap.engine.demo.city import city_evidence
from peermap.engine.rules.pack import RulePack, load_rule_pack
from peermap.engine.rules.scoring import MONDAY_OFFSET, CompiledRule, _item_keys, _key_space, score_links
from peermap.engine.rules.trace import reference_link_opinions
from peermap.engine.snapshot import EvidenceTable, NodeIndex, day_number
from peermap.engine.vocab import RELATIONS

AS_AT = date(2026, 6, 1)


def _best_seconds(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(wall, CPU) of the least-disturbed run (minimum, as timeit advises; numpy here is one thread)."""
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def bare_pass(ev: EvidenceTable, nodes: NodeIndex, pack: RulePack) -> Callable[[], np.ndarray]:
    """The core arithmetic only, with the rule outcomes precomputed into per-key tables."""
    key_res, _ = _key_space(pack, [CompiledRule(r, ev.agencies) for r in pack.rules])
    tb, td, thl = key_res.b, key_res.d, key_res.half_life
    w, a = pack.settings.prior_weight, pack.settings.base_rate
    window_days = pack.settings.same_origin_window_days
    as_at = day_number(AS_AT)
    n_nodes, n_rel = len(nodes.ids), len(RELATIONS)
    n_refs = len(ev.source_refs)

    def run() -> np.ndarray:
        key = _item_keys(ev)  # lookup
        b0, d0, hl = tb[key], td[key], thl[key]
        f = np.exp2(-np.maximum(as_at - ev.observed, 0) / hl)  # decay
        b, d = f * b0, f * d0
        u = 1.0 - b - d
        r, s = w * b / u, w * d / u
        used = ev.agreement_ok & ev.retention_ok & ~ev.withdrawn
        link = (ev.subject.astype(np.int64) * n_nodes + ev.object) * n_rel + ev.relation
        local = np.where(
            ev.source_ref >= 0, ev.source_ref, n_refs + (ev.observed.astype(np.int64) + MONDAY_OFFSET) // window_days
        )
        n_ag, span = len(ev.agencies), int(local.max()) + 1
        origins, inv = np.unique(((link * n_ag + ev.agency) * span + local)[used], return_inverse=True)
        count = np.bincount(inv)
        r_o = np.bincount(inv, r[used]) / count  # averaging within an origin
        s_o = np.bincount(inv, s[used]) / count
        o_link = origins // (n_ag * span)
        new = np.ones(o_link.shape[0], dtype=bool)
        new[1:] = o_link[1:] != o_link[:-1]
        g = np.cumsum(new) - 1
        big_r, big_s = np.bincount(g, r_o), np.bincount(g, s_o)  # cumulative across origins
        total = big_r + big_s + w
        return big_r / total + a * (w / total)

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--sample", type=int, default=20_000)
    args = ap.parse_args()

    t0 = time.perf_counter()
    ev, nodes = city_evidence(args.people, args.seed, AS_AT)
    build_seconds = time.perf_counter() - t0
    pack = load_rule_pack()

    links = score_links(ev, nodes, pack, AS_AT)
    score_seconds, score_cpu = _best_seconds(lambda: score_links(ev, nodes, pack, AS_AT), args.repeat)
    bare = bare_pass(ev, nodes, pack)
    bare_seconds, bare_cpu = _best_seconds(bare, args.repeat)

    tracemalloc.start()
    score_links(ev, nodes, pack, AS_AT)
    _, alloc_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    rng = np.random.default_rng(args.seed)
    sample = np.sort(rng.choice(len(ev), size=min(args.sample, len(ev)), replace=False))
    sub = ev.take(sample)
    t0 = time.perf_counter()
    reference_link_opinions(sub, pack, AS_AT)
    python_sample = time.perf_counter() - t0
    python_seconds = python_sample * len(ev) / len(sub)

    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    print(
        json.dumps(
            {
                "people": args.people,
                "items": len(ev),
                "links": len(links),
                "seed": args.seed,
                "score_seconds": round(score_seconds, 3),
                "bare_seconds": round(bare_seconds, 3),
                "ratio": round(score_seconds / bare_seconds, 2),
                "score_cpu_seconds": round(score_cpu, 3),
                "bare_cpu_seconds": round(bare_cpu, 3),
                "ratio_cpu": round(score_cpu / bare_cpu, 2),
                "load_average_1m": round(os.getloadavg()[0], 2),
                "python_sample_items": len(sub),
                "python_sample_seconds": round(python_sample, 3),
                "python_seconds_extrapolated": round(python_seconds, 1),
                "speedup_vs_python": round(python_seconds / score_seconds, 1),
                "peak_rss_mb": round(peak_rss_mb, 1),
                "score_alloc_peak_mb": round(alloc_peak / 2**20, 1),
                "city_build_seconds": round(build_seconds, 2),
                "goals_met": {
                    "ratio_le_2": min(score_seconds / bare_seconds, score_cpu / bare_cpu) <= 2,
                    "under_3s": score_seconds < 3,
                    "under_2gb": peak_rss_mb < 2048,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
