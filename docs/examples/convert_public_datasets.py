"""Convert two public research network datasets into peermap's interchange format (a folder of CSV files).

    python docs/examples/convert_public_datasets.py /path/to/datasets OUT_DIR
    peermap import OUT_DIR/london_gang
    peermap import OUT_DIR/ndrangheta_summits

Neither dataset is safeguarding data and neither is about children; they are used to test peermap on
real-world network structure. The datasets themselves are not copied into the project.

- london_gang (Grund & Densley): 54 people; LONDON_GANG.csv is a symmetric adjacency matrix whose tie types
  are 1 = hang out together, 2 = co-offend, 3 = co-offend in a serious crime, 4 = co-offend in a serious crime
  and kin. Type 1 becomes `association` evidence, types 2-4 `co_offending`, graded more strongly as the type
  rises (police arrest and conviction data, corroborated). LONDON_GANG_ATTR.csv gives age in 2009 (kept as a
  birth year) and birthplace (kept in the `ethnicity` column as a region name, so the disproportionality
  checks have a demographic field to work with). Arrest counts and rankings are not imported: peermap does
  not label or rank people.
- ndrangheta_summits (Operazione Infinito): people x monitored meetings. Each meeting becomes an incident
  (kind "monitored meeting") on its date; each attendance becomes `present` evidence from a police
  surveillance agency, graded B2 when observed and C3 when imputed by the data set's authors. The hand-coded
  `locale` becomes the person's `area`; the coded `role` is not imported (it is a label).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable
from pathlib import Path

TIE_RELATION = {1: "association", 2: "co_offending", 3: "co_offending", 4: "co_offending"}
TIE_GRADING = {1: "C3", 2: "B2", 3: "B2", 4: "A2"}
TIE_NOTE = {
    1: "hang out together",
    2: "co-offended together",
    3: "co-offended together in a serious crime",
    4: "co-offended together in a serious crime; kin",
}
BIRTHPLACE = {"1": "West Africa", "2": "Caribbean", "3": "United Kingdom", "4": "East Africa"}
LONDON_DATA_YEAR = 2009  # ages in the attribute file are as at the end of the study (2005-09)
LONDON_RECORDED = "2009-12-31"


def _write(folder: Path, table: str, columns: list[str], rows: Iterable[dict[str, object]]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [row for row in csv.reader(fh) if row]


def convert_london_gang(src: Path, out: Path, recorded_on: str = LONDON_RECORDED) -> dict[str, int]:
    """LONDON_GANG.csv + LONDON_GANG_ATTR.csv -> people, agencies, agreements, evidence.

    `recorded_on` dates every tie (default: the end of the study). Evidence from 2009 has aged out under the
    default rule pack, so to look at the structure as if it were current, pass a recent date.
    """
    matrix = _read(src / "LONDON_GANG.csv")
    ids = [h.strip() for h in matrix[0][1:]]
    attrs = _read(src / "LONDON_GANG_ATTR.csv")
    head = [h.strip().lower() for h in attrs[0]]
    person = {n: f"LG{int(n):02d}" for n in ids}
    people = []
    for row in attrs[1:]:
        values = dict(zip(head, row, strict=True))
        num = row[0].strip()
        people.append(
            {
                "person_id": person[num],
                "name": f"London person {int(num):02d}",
                "date_of_birth": str(LONDON_DATA_YEAR - int(values["age"])),
                "ethnicity": BIRTHPLACE.get(values["birthplace"].strip(), ""),
                "agency": "met",
            }
        )
    evidence = []
    for i, row in enumerate(matrix[1:]):
        a = row[0].strip()
        for j, cell in enumerate(row[1:]):
            tie = int(cell)
            if j <= i or tie == 0:
                continue  # symmetric: each pair once
            b = ids[j]
            evidence.append(
                {
                    "evidence_id": f"LG-{person[a]}-{person[b]}",
                    "subject_id": person[a],
                    "object_id": person[b],
                    "relation": TIE_RELATION[tie],
                    "agency": "met",
                    "grading": TIE_GRADING[tie],
                    "grading_scheme": "admiralty",
                    "observed_on": recorded_on,
                    "recorded_on": recorded_on,
                    "agreement_id": "LG-RESEARCH",
                    "source_ref": f"london_gang tie type {tie}",
                    "note": TIE_NOTE[tie],
                }
            )
    counts = {
        "agencies": _write(
            out,
            "agencies",
            ["agency_id", "name", "kind"],
            [{"agency_id": "met", "name": "Metropolitan Police (research extract)", "kind": "police"}],
        ),
        "agreements": _write(
            out,
            "agreements",
            ["agreement_id", "agencies", "purpose", "lawful_basis", "valid_from"],
            [
                {
                    "agreement_id": "LG-RESEARCH",
                    "agencies": "met",
                    "purpose": "Testing peermap on public research data (Grund & Densley, London gang)",
                    "lawful_basis": "UK GDPR Art 6(1)(f) legitimate interests (published research data)",
                    "valid_from": "2005-01-01",
                }
            ],
        ),
        "people": _write(out, "people", ["person_id", "name", "date_of_birth", "ethnicity", "agency"], people),
        "evidence": _write(out, "evidence", list(evidence[0]), evidence),
    }
    return counts


def convert_ndrangheta_summits(src: Path, out: Path) -> dict[str, int]:
    """people.csv + attendance.csv -> people, agencies, agreements, incidents (meetings), evidence."""
    people = []
    with (src / "people.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            locale = (row.get("locale") or "").strip()
            area = "" if locale in ("", "MISS") else "outside the city" if locale == "OUT" else f"locale {locale}"
            people.append(
                {
                    "person_id": f"ND-{row['person'].strip()}",
                    "name": f"Person {row['person'].strip()}",
                    "area": area,
                    "agency": "surv",
                }
            )
    meetings: dict[str, str] = {}
    evidence = []
    with (src / "attendance.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            summit, day = row["summit"].strip(), row["summit_date"].strip()
            if meetings.setdefault(summit, day) != day:
                raise ValueError(f"meeting {summit} has two dates ({meetings[summit]} and {day})")
            imputed = row.get("imputed", "0").strip() == "1"
            pid = f"ND-{row['person'].strip()}"
            evidence.append(
                {
                    "evidence_id": f"ND-{row['person'].strip()}-S{int(summit):02d}",
                    "subject_id": pid,
                    "object_id": f"ND-S{int(summit):02d}",
                    "relation": "present",
                    "agency": "surv",
                    "grading": "C3" if imputed else "B2",
                    "grading_scheme": "admiralty",
                    "observed_on": day,
                    "recorded_on": day,
                    "agreement_id": "ND-RESEARCH",
                    "note": "attendance imputed by the data set's authors" if imputed else "",
                }
            )
    incidents = [
        {
            "incident_id": f"ND-S{int(s):02d}",
            "date": d,
            "kind": "monitored meeting",
            "summary": f"Monitored meeting {s} (Operazione Infinito)",
        }
        for s, d in sorted(meetings.items(), key=lambda kv: int(kv[0]))
    ]
    first = min(meetings.values())
    return {
        "agencies": _write(
            out,
            "agencies",
            ["agency_id", "name", "kind"],
            [{"agency_id": "surv", "name": "Police surveillance (research extract)", "kind": "police"}],
        ),
        "agreements": _write(
            out,
            "agreements",
            ["agreement_id", "agencies", "purpose", "lawful_basis", "valid_from"],
            [
                {
                    "agreement_id": "ND-RESEARCH",
                    "agencies": "surv",
                    "purpose": "Testing peermap on public research data (Ndrangheta summits)",
                    "lawful_basis": "UK GDPR Art 6(1)(f) legitimate interests (published research data)",
                    "valid_from": first[:4] + "-01-01",
                }
            ],
        ),
        "people": _write(out, "people", ["person_id", "name", "area", "agency"], people),
        "incidents": _write(out, "incidents", ["incident_id", "date", "kind", "summary"], incidents),
        "evidence": _write(out, "evidence", list(evidence[0]), evidence),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    datasets, out = Path(args[0]), Path(args[1])
    for name, convert in (
        ("london_gang", convert_london_gang),
        ("ndrangheta_summits", convert_ndrangheta_summits),
    ):
        counts = convert(datasets / name, out / name)
        print(f"{name}: " + ", ".join(f"{n} {t}" for t, n in counts.items()) + f" -> {out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
