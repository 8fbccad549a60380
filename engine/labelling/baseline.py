"""Population baseline for the disproportionality checks (--baseline FILE: group_kind,group,share[,area]).

Rows with a blank (or no) `area` are the whole borough; rows with an area (a ward, as the census publishes
it) give that ward's population. When wards are given, the comparison for a map is the population of the
wards its young people live in, weighted by how many of them live in each (docs/reports.md).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputProblem, PolicyError

BASELINE_KINDS = ("ethnicity", "sex", "age_band")


@dataclass(frozen=True)
class Baseline:
    source: str
    shares: dict[str, dict[str, float]]  # group kind -> group -> share of the local population (0..1)
    by_area: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # kind -> area -> group -> share

    def shares_for(self, kind: str, areas: Mapping[str, int]) -> dict[str, float]:
        """The population to compare with: the wards `areas` (area -> young people) weighted, else the borough."""
        wards = self.by_area.get(kind, {})
        weights = {a: n for a, n in areas.items() if a in wards and n > 0}
        total = sum(weights.values())
        if not total:
            return self.shares.get(kind, {})
        mixed: dict[str, float] = defaultdict(float)
        for area, n in weights.items():
            for group, share in wards[area].items():
                mixed[group] += share * n / total
        return dict(mixed)


def load_baseline(path: Path | str) -> Baseline:
    """Read a baseline CSV (group_kind, group, share); bad rows raise PolicyError naming row and field."""
    p = Path(path)
    problems: list[InputProblem] = []
    shares: dict[str, dict[str, float]] = defaultdict(dict)
    by_area: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PolicyError(f"{p}: cannot read baseline: {exc.strerror or exc}") from None
    # Lines starting with "#" are comments (a source note, the census table it came from).
    kept = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if not line.lstrip().startswith("#")]
    reader = csv.DictReader(line for _, line in kept)
    missing = {"group_kind", "group", "share"} - set(reader.fieldnames or [])
    if missing:
        raise PolicyError(f"{p}: baseline needs columns group_kind, group, share; missing {', '.join(sorted(missing))}")
    for k, row in enumerate(reader, start=1):
        line = kept[k][0] if k < len(kept) else k + 1
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
        area = (row.get("area") or "").strip()
        if area:
            by_area[kind][area][group] = share
        else:
            shares[kind][group] = share
    for kind, groups in shares.items():
        total = sum(groups.values())
        if total > 1.0001:
            problems.append(InputProblem(str(p), None, "share", f"{kind} shares add up to {total:.3f}, more than 1"))
    for kind, wards in by_area.items():
        for area, groups in wards.items():
            total = sum(groups.values())
            if total > 1.0001:
                problems.append(
                    InputProblem(str(p), None, "share", f"{kind} shares in {area} add up to {total:.3f}, more than 1")
                )
    if problems:
        raise PolicyError("baseline rejected:\n" + "\n".join(str(x) for x in problems))
    return Baseline(
        source=p.name,
        shares=dict(shares),
        by_area={kind: {a: dict(g) for a, g in wards.items()} for kind, wards in by_area.items()},
    )
