"""The interchange format's JSON Schema, generated from the row models (the JSON import's shape)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .rows import (
    AgencyRow,
    AgreementRow,
    ConcernRow,
    EvidenceRow,
    IncidentRow,
    LocationRow,
    PersonRow,
    StrengthRow,
)

SCHEMA_ID = "https://peermap.example/schema/interchange.schema.json"


class Interchange(BaseModel):
    """A peermap import: any subset of the tables, each a list of rows (as the CSV files, one per table)."""

    model_config = ConfigDict(extra="forbid", title="peermap interchange format")

    people: list[PersonRow] = Field(default_factory=list)
    locations: list[LocationRow] = Field(default_factory=list)
    incidents: list[IncidentRow] = Field(default_factory=list)
    agencies: list[AgencyRow] = Field(default_factory=list)
    agreements: list[AgreementRow] = Field(default_factory=list)
    evidence: list[EvidenceRow] = Field(default_factory=list)
    strengths: list[StrengthRow] = Field(default_factory=list)
    concerns: list[ConcernRow] = Field(default_factory=list)


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a JSON import (docs/schema/interchange.schema.json)."""
    schema = Interchange.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
