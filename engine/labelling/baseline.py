"""Population baseline for the disproportionality checks (--baseline FILE: group_kind,group,share)."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputProblem, PolicyError

BASELINE_KINDS = ("ethnicity", "sex", "age_band")


@dataclass(frozen=True)
class Baseline:
    source: str
    shares: dict[str, dict[str, float]]  # group kind -> group -> share of the local population (0..1)


def load_baseline(path: Path | str) -> Baseline:
    """Read a baseline CSV (group_kind, group, share); bad rows raise PolicyError naming row and field."""
    p = Path(path)
    problems: list[InputProblem] = []
    shares: dict[str, dict[str, float]] = defaultdict(dict)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PolicyError(f"{p}: cannot read baseline: {exc.strerror or exc}") from None
    reader = csv.DictReader(text.splitlines())
    missing = {"group_kind", "group", "share"} - set(reader.fieldnames or [])
    if missing:
        raise PolicyError(f"{p}: baseline needs columns group_kind, group, share; missing {', '.join(sorted(missing))}")
    for line, row in enumerate(reader, start=2):
        kind = (row.get("group_kind") or "").strip()
        group = (row.get("group") or "").strip()
        if kind not in BASELINE_KINDS:
            problems.append(
                InputProblem(str(p), line, "group_kind", f"{kind!r} is not one of {', '.join(BASELINE_KINDS)}")
            )
            continue
        if not group:
            problems.append(InputProblem(str(p), line, "group", "blank"))
            continue
        try:
            share = float((row.get("share") or "").strip())
        except ValueError:
            problems.append(InputProblem(str(p), line, "share", f"{row.get('share')!r} is not a number"))
            continue
        if not 0.0 <= share <= 1.0:
            problems.append(InputProblem(str(p), line, "share", f"{share} is not a share between 0 and 1"))
            continue
        shares[kind][group] = share
    for kind, groups in shares.items():
        total = sum(groups.values())
        if total > 1.0001:
            problems.append(InputProblem(str(p), None, "share", f"{kind} shares add up to {total:.3f}, more than 1"))
    if problems:
        raise PolicyError("baseline rejected:\n" + "\n".join(str(x) for x in problems))
    return Baseline(source=p.name, shares=dict(shares))
