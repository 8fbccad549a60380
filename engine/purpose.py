"""Justified access (DPA 2018 s.62): the purpose given for opening a record, from a short list plus free text.

The list is policy data (policies/purposes.yaml). A purpose is written `CODE` or `CODE: free text`; it is
recorded with the view in the audit trail as {"code": ..., "text": ...}. A view without one is recorded
without the key, so the audit report can list views made without a purpose.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import PeermapError, PolicyError
from .policy_files import read_yaml, shipped


class PurposeEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)


class PurposeList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    purposes: tuple[PurposeEntry, ...] = Field(min_length=1)


@lru_cache(maxsize=1)
def load_purposes() -> tuple[PurposeEntry, ...]:
    """The shipped list of purposes (policies/purposes.yaml), validated."""
    path = shipped("purposes.yaml")
    try:
        return PurposeList.model_validate(read_yaml(path, "purposes list")).purposes
    except ValidationError as exc:
        raise PolicyError(f"{path}: {exc.errors(include_url=False)[0]['msg']}") from None


def parse_purpose(value: str | None) -> dict[str, Any] | None:
    """`CODE` or `CODE: free text` as {"code", "text"}; None when no purpose was given; PeermapError otherwise."""
    if value is None or not value.strip():
        return None
    code, _, text = value.strip().partition(":")
    code = code.strip().lower()
    known = {p.code for p in load_purposes()}
    if code not in known:
        raise PeermapError(
            f"--purpose {value.strip()!r}: start with one of {', '.join(sorted(known))}, then optionally ': ' and "
            "your own words (e.g. --purpose 'safeguarding: strategy meeting 3 Dec')"
        )
    return {"code": code, "text": " ".join(text.split()) or None}
