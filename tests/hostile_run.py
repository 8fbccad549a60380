"""Run `peermap` as a user would, under a memory ceiling, and report the peak memory it used.

    python tests/hostile_run.py [peermap arguments...]

HOSTILE_AS_LIMIT (bytes) caps the address space (RLIMIT_AS): a reader that tried to hold a bomb in memory
fails instead of swapping the machine. HOSTILE_RSS_FILE receives the peak resident size in KB at exit.
"""

from __future__ import annotations

import atexit
import os
import resource
import sys


def _report() -> None:
    out = os.environ.get("HOSTILE_RSS_FILE")
    if out:
        with open(out, "w", encoding="ascii") as fh:
            fh.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


if __name__ == "__main__":
    limit = int(os.environ.get("HOSTILE_AS_LIMIT") or 0)
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    atexit.register(_report)
    sys.argv = ["peermap", *sys.argv[1:]]
    from peermap.cli import main

    main()
