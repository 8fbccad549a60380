"""The redactor for outputs that are not built from a map already in hand (audit-log and policy views)."""

from __future__ import annotations

from datetime import date

from .mapping import compute_map
from .redaction import Redactor
from .report_data import young_person_records
from .store import Store


def store_redactor(store: Store, as_at: date | None = None, *, redact_ids: bool = True) -> Redactor:
    """A redactor for the map as at `as_at` (today by default), covering every agency record in the store.

    Free text typed by people (policy and decision reasons, audit payloads) can name any young person, so
    views of it redact against the current map: whoever is left out now is not named.
    """
    result = compute_map(store, as_at)
    return Redactor(result, young_person_records(store).values(), redact_ids=redact_ids)
