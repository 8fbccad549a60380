"""Restricted items: evidence, concerns and strengths whose note and source reference only their agency reads.

An item is restricted when its row says so (`restricted` true) or its grading's handling code forbids
onward sharing: 5x5x5 handling other than 1, 3x5x2 handling C. On import the note and source_ref of a
restricted item are moved to `restricted_detail` (row-level security on PostgreSQL); the item's own row
keeps everything else, so every login scores the same map (decision 0016) and sees that the item exists,
from which agency, with its grading.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from .grading import GradingError, parse_grading
from .models import RestrictedDetail

ITEM_KINDS = {"evidence": "evidence_id", "concerns": "concern_id", "strengths": "strength_id"}
KIND_OF_TABLE = {"evidence": "evidence", "concerns": "concern", "strengths": "strength"}
HIDDEN_FIELDS = ("note", "source_ref")


def handling_restricts(scheme: str | None, grading: str | None) -> bool:
    """True when the grading's handling code restricts onward sharing (5x5x5: 2-5; 3x5x2: C)."""
    if not grading or scheme not in ("5x5x5", "3x5x2"):
        return False
    try:
        handling = parse_grading(grading, scheme).handling
    except GradingError:
        return False  # the import reports the bad grading itself
    if handling is None:
        return False  # no handling code given: not restricted by handling
    if scheme == "5x5x5":
        return handling != "1"
    return handling == "C"


def is_restricted(record: dict[str, Any]) -> bool:
    """An imported record (one evidence, concern or strength row) is restricted by flag or by handling code."""
    return bool(record.get("restricted")) or handling_restricts(record.get("grading_scheme"), record.get("grading"))


def split(table: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark restricted records, move their note and source_ref out; return the restricted_detail rows."""
    id_field = ITEM_KINDS[table]
    details: list[dict[str, Any]] = []
    for rec in records:
        rec["restricted"] = is_restricted(rec)
        if not rec["restricted"]:
            continue
        details.append(
            {
                "item_kind": KIND_OF_TABLE[table],
                "item_id": rec[id_field],
                "agency": rec["agency"],
                "note": rec.get("note"),
                "source_ref": rec.get("source_ref"),
                "import_id": rec.get("import_id"),
            }
        )
        for f in HIDDEN_FIELDS:
            if f in rec:
                rec[f] = None
    return details


def reveal_rows(session: Session, kind: str, rows: list[dict[str, Any]], id_field: str) -> None:
    """As `reveal`, on plain row dicts (before read-only snapshot rows are made from them)."""
    restricted = [r for r in rows if r.get("restricted")]
    if not restricted:
        return
    readable = readable_details(session, kind, [r[id_field] for r in restricted])
    for r in restricted:
        detail = readable.get(r[id_field])
        r["note"] = detail.note if detail is not None else placeholder(r["agency"], r.get("grading"))
        if "source_ref" in r:
            r["source_ref"] = detail.source_ref if detail is not None else None


def placeholder(agency: str, grading: str | None) -> str:
    """What a login outside the item's agency reads instead of the note."""
    graded = f", graded {grading}" if grading else ""
    return f"restricted item from {agency}{graded}: ask the {agency} safeguarding lead"


def readable_details(session: Session, kind: str, ids: Iterable[str]) -> dict[str, RestrictedDetail]:
    """The restricted detail this login may read for these items (PostgreSQL row-level security decides)."""
    wanted = sorted(set(ids))
    out: dict[str, RestrictedDetail] = {}
    for i in range(0, len(wanted), 5000):
        chunk = wanted[i : i + 5000]
        q = select(RestrictedDetail).where(RestrictedDetail.item_kind == kind, col(RestrictedDetail.item_id).in_(chunk))
        for row in session.exec(q):
            out[row.item_id] = row
    return out


def reveal(session: Session, kind: str, rows: list[Any], id_field: str) -> None:
    """Fill each restricted row's note (and source_ref) from the detail this login may read, else say whom to ask.

    Call on rows that are then detached (expunged) or read-only: the values must never be written back.
    """
    restricted = [r for r in rows if r.restricted]
    if not restricted:
        return
    readable = readable_details(session, kind, [getattr(r, id_field) for r in restricted])
    for r in restricted:
        detail = readable.get(getattr(r, id_field))
        if detail is None:
            r.note = placeholder(r.agency, r.grading)
            continue
        r.note = detail.note
        if hasattr(r, "source_ref"):
            r.source_ref = detail.source_ref
