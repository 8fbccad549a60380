"""What the database holds: row counts, agencies, evidence dates and the imports made (no names)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col

from ..access import role_separation
from ..models import Agency, Concern, Evidence, ImportBatch, Strength
from ..store import Store
from .rows import TABLES
from .validate import MODEL_OF


def summary(store: Store) -> dict[str, Any]:
    """Counts by table, agencies (with kinds and evidence counts), evidence date range, and the imports."""
    with store.read() as s:
        tables = {
            name: int(s.execute(sa_select(func.count()).select_from(MODEL_OF[name])).scalar_one()) for name in TABLES
        }
        per_agency: dict[str, int] = {
            a: n for a, n in s.execute(sa_select(col(Evidence.agency), func.count()).group_by(col(Evidence.agency)))
        }
        agencies = [
            {
                "agency_id": a.agency_id,
                "name": a.name,
                "kind": a.kind,
                "evidence": int(per_agency.get(a.agency_id, 0)),
            }
            for a in s.execute(sa_select(Agency).order_by(col(Agency.agency_id))).scalars()
        ]
        first_obs, last_obs, first_rec, last_rec = s.execute(
            sa_select(
                func.min(Evidence.observed_on),
                func.max(Evidence.observed_on),
                func.min(Evidence.recorded_on),
                func.max(Evidence.recorded_on),
            )
        ).one()
        restricted = sum(
            int(s.execute(sa_select(func.count()).where(col(m.restricted).is_(True))).scalar_one())
            for m in (Evidence, Concern, Strength)
        )
        imports = [
            {
                "import_id": b.id,
                "actor": b.actor,
                "role": b.role,
                "imported_at": b.imported_at.isoformat(),
                "source": b.source,
                "digest": b.digest,
                "counts": json.loads(b.counts),
            }
            for b in s.execute(sa_select(ImportBatch).order_by(col(ImportBatch.id))).scalars()
        ]

    def iso(d: Any) -> str | None:
        return d.isoformat() if d is not None else None

    return {
        "tables": tables,
        "agencies": agencies,
        "evidence_dates": {
            "observed_from": iso(first_obs),
            "observed_to": iso(last_obs),
            "recorded_from": iso(first_rec),
            "recorded_to": iso(last_rec),
        },
        "imports": imports,
        "access": {
            "database": store.engine.dialect.name,
            "restricted_items": restricted,
            "role_separation": role_separation(store.engine.dialect.name),
        },
    }
