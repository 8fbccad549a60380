"""What covering the data costs: build the demo borough (every import records its row digests), then time
`audit.verify` recomputing the chain and every row digest (not a test: prints one JSON line).

Usage: .venv/bin/python bench/audit_chain.py [--people 600] [--db sqlite|URL]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import func, select  # noqa: E402

from peermap.engine import audit  # noqa: E402
from peermap.engine.access import Actor, Role  # noqa: E402
from peermap.engine.demo import build_demo  # noqa: E402
from peermap.engine.models import AuditEvent, RowDigest  # noqa: E402
from peermap.engine.store import Store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--db", default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = str(Path(tmp) / "bench.db") if args.db == "sqlite" else args.db
        store = Store.open(url)
        t0 = time.perf_counter()
        build_demo(store, Actor("bench", Role.PRACTITIONER), people=args.people)
        build_s = time.perf_counter() - t0
        with store.read() as s:
            events = int(s.exec(select(func.count()).select_from(AuditEvent)).one())
            digests = int(s.exec(select(func.count()).select_from(RowDigest)).one())
        t0 = time.perf_counter()
        result = audit.verify(store)
        verify_s = time.perf_counter() - t0
        store.dispose()
    print(
        json.dumps(
            {
                "bench": "audit_chain",
                "people": args.people,
                "events": events,
                "row_digests": digests,
                "build_demo_s": round(build_s, 2),
                "verify_s": round(verify_s, 3),
                "verify_ok": result.ok,
            }
        )
    )


if __name__ == "__main__":
    main()
