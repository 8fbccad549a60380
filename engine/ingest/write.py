"""Writing a validated import: one transaction holding the batch row, every new row and the audit event."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from .. import audit, clock
from ..access import Actor
from ..errors import DatabaseBusy, InputProblem, PeermapError
from ..models import ImportBatch, RestrictedDetail
from ..restricted import ITEM_KINDS, split
from ..store import Store, lock_timeout
from .rows import TABLES
from .validate import MODEL_OF, Plan, Progress

WRITE_CHUNK = 20000


@dataclass
class ImportReport:
    """What an import did. `unchanged` is True when every row was already stored (nothing written)."""

    import_id: int | None
    source: str
    digest: str
    counts: dict[str, int]
    unchanged: bool
    warnings: list[InputProblem] = field(default_factory=list)
    already_present: dict[str, int] = field(default_factory=dict)
    imported_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "source": self.source,
            "digest": self.digest,
            "counts": self.counts,
            "already_present": self.already_present,
            "unchanged": self.unchanged,
            "imported_at": self.imported_at.isoformat() if self.imported_at else None,
            "warnings": [{"file": w.file, "row": w.row, "field": w.field, "reason": w.reason} for w in self.warnings],
        }

    def text(self) -> str:
        if self.unchanged:
            head = f"{self.source}: already imported, nothing changed (digest {self.digest[:12]})"
        else:
            rows = ", ".join(f"{n} {t}" for t, n in self.counts.items())
            head = f"{self.source}: import {self.import_id} wrote {rows} (digest {self.digest[:12]})"
        lines = [head]
        if self.already_present and not self.unchanged:
            lines.append("already stored, skipped: " + ", ".join(f"{n} {t}" for t, n in self.already_present.items()))
        if self.warnings:
            lines.append(f"{len(self.warnings)} warnings:")
            lines.extend(f"  {w}" for w in self.warnings)
        return "\n".join(lines)


def write_plan(
    store: Store,
    plan: Plan,
    actor: Actor,
    *,
    source: str,
    imported_at: datetime | None,
    progress: Progress | None,
) -> ImportReport:
    """Apply the plan in one transaction (or only audit the attempt when nothing is new)."""
    at = clock.as_utc(imported_at) if imported_at is not None else clock.now()
    counts = plan.counts
    quarantined = sum(1 for w in plan.warnings if w.field == "agreement_id")
    payload: dict[str, Any] = {
        "source": source,
        "digest": plan.digest,
        "counts": counts,
        "unchanged": plan.unchanged,
        "quarantined": quarantined,
    }
    total = sum(counts.values())
    done = 0
    try:
        with store.transaction() as s:
            import_id: int | None = None
            if not plan.unchanged:
                batch = ImportBatch(
                    actor=actor.name,
                    role=actor.role.value,
                    imported_at=at,
                    source=source,
                    digest=plan.digest,
                    counts=json.dumps(counts, sort_keys=True),
                )
                s.add(batch)
                s.flush()
                import_id = batch.id
                conn = s.connection()
                details: list[dict[str, Any]] = []
                for table in TABLES:
                    rows = plan.new.get(table) or []
                    target = MODEL_OF[table].__table__  # type: ignore[attr-defined]
                    for i in range(0, len(rows), WRITE_CHUNK):
                        chunk = [{**r, "import_id": import_id} for r in rows[i : i + WRITE_CHUNK]]
                        if table in ITEM_KINDS:  # restricted notes and source refs go to their own table
                            details.extend(split(table, chunk))
                        conn.execute(target.insert(), chunk)  # core executemany: fast for large imports
                        done += len(chunk)
                        if progress is not None:
                            progress(done, total, "write")
                for i in range(0, len(details), WRITE_CHUNK):
                    conn.execute(RestrictedDetail.__table__.insert(), details[i : i + WRITE_CHUNK])  # type: ignore[attr-defined]
                payload["restricted"] = len(details)
            payload["import_id"] = import_id
            audit.record(s, actor, "import", payload, data_ref=f"import:{import_id}" if import_id else None)
    except IntegrityError as exc:
        raise PeermapError(
            "the database changed while this import was being checked (another import added some of "
            "the same ids); nothing was written, run the import again"
        ) from exc
    except DatabaseBusy as exc:
        raise DatabaseBusy(
            f"another import is running (or another change is being written) and held the database for more "
            f"than {lock_timeout():g} s; nothing was written by this import. Try again when it has finished."
        ) from exc
    return ImportReport(
        import_id=import_id,
        source=source,
        digest=plan.digest,
        counts=counts,
        unchanged=plan.unchanged,
        warnings=plan.warnings,
        already_present=plan.present,
        imported_at=at,
    )
