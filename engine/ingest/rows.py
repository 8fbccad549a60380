"""Pydantic models of one row of each interchange table: the single source of the format.

Every source (CSV, XLSX, JSON, dicts from Python) is first turned into rows of text values (see
`readers.cell_text`); these models parse the text with messages a practitioner can act on. The
published JSON Schema is generated from the same models (`schema.json_schema`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from ..governance import lawful_basis_problem
from ..grading import Grading, GradingError, Scheme, parse_grading
from ..restricted import is_restricted
from ..vocab import AgencyKind, CollectionMethod, Polarity, Relation

_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YEAR_RE = re.compile(r"^\d{4}$")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
# Ids may not hold the list separator, nor characters that are invisible or rearrange text on screen:
# control characters (C0, DEL, C1), zero-width characters and bidirectional marks, overrides and isolates.
# Otherwise `P001` and `P001` + U+200B would be two people who look like one. NUL is refused in every value
# (PostgreSQL cannot store it, SQLite would), so both databases refuse it the same way, before writing.
ID_UNSAFE = (
    r"\x00-\x1f\x7f-\x9f"  # C0, DEL, C1 (ESC is \x1b)
    r"\u200b-\u200f"  # zero-width space, non-joiner, joiner; left-to-right and right-to-left marks
    r"\u202a-\u202e"  # bidirectional embeddings and overrides
    r"\u2060-\u2064\u2066-\u2069"  # word joiner, invisible operators; bidirectional isolates
    r"\u061c\ufeff"  # Arabic letter mark; zero-width no-break space (byte-order mark)
)
ID_PATTERN = f"^[^;{ID_UNSAFE}]+$"
TEXT_PATTERN = r"^[^\x00]*$"
_ID_UNSAFE_RE = re.compile(f"[{ID_UNSAFE}]")


def pattern_reason(field: str | None, value: Any) -> str:
    """Why a value failed its pattern, naming the character (escaped: the message reaches a terminal)."""
    text = _text(value)
    if "\x00" in text:
        return f"{field} contains a NUL character (byte 0), which cannot be stored; remove it"
    if ";" in text:
        return f"{field} {text!r} contains ';', which separates lists of ids"
    bad = _ID_UNSAFE_RE.search(text)
    if bad is not None:
        code = f"U+{ord(bad.group()):04X}"
        return (
            f"{field} {text!r} contains the invisible or control character {code} at position {bad.start() + 1}; "
            "ids must be visible text, so that two ids never look alike"
        )
    return f"{field} {text!r} is not allowed here"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def parse_date(value: Any) -> date:
    """A calendar date written YYYY-MM-DD (date objects pass through)."""
    if isinstance(value, date):
        return value
    raw = _text(value).strip()
    m = _DATE_RE.match(raw)
    if not m:
        raise ValueError(f"{raw!r} is not a date; write dates as YYYY-MM-DD (e.g. 2024-03-31)")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"{raw!r} is not a real calendar date") from None


def parse_birth(value: Any) -> str:
    """A date of birth: YYYY-MM-DD, or YYYY when only the year is known (kept as text, split later)."""
    if isinstance(value, date):
        return value.isoformat()
    raw = _text(value).strip()
    if _YEAR_RE.match(raw):
        if not 1900 <= int(raw) <= 2100:
            raise ValueError(f"birth year {raw} is out of range")
        return raw
    if _DATE_RE.match(raw):
        return parse_date(raw).isoformat()
    raise ValueError(f"{raw!r} is not a date of birth; write YYYY-MM-DD, or YYYY when only the year is known")


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raw = _text(value).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"{raw!r} is not true or false")


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return float(value)
    raw = _text(value).strip()
    try:
        out = float(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a number") from None
    if out != out or out in (float("inf"), float("-inf")):
        raise ValueError(f"{raw!r} is not a finite number")
    return out


def parse_latitude(value: Any) -> float:
    out = _number(value)
    if not -90.0 <= out <= 90.0:
        raise ValueError(f"latitude {out} is outside -90..90")
    return out


def parse_longitude(value: Any) -> float:
    out = _number(value)
    if not -180.0 <= out <= 180.0:
        raise ValueError(f"longitude {out} is outside -180..180")
    return out


MAX_DAYS = 36525  # a hundred years: any longer retention is a typing slip (and would overflow a column)


def parse_days(value: Any) -> int:
    out = _number(value)
    if out != int(out) or out < 0:
        raise ValueError(f"{value!r} is not a whole number of days (0 or more)")
    if out > MAX_DAYS:
        raise ValueError(f"{value!r} days is more than a hundred years ({MAX_DAYS} days)")
    return int(out)


def _choice(enum: Any, what: str) -> Any:
    allowed = [m.value for m in enum]

    def parse(value: Any) -> str:
        raw = _text(value).strip().lower()
        if raw not in allowed:
            raise ValueError(f"{raw!r} is not a known {what}; use one of: {', '.join(allowed)}")
        return raw

    return parse


def parse_agency_list(value: Any) -> str:
    parts = value if isinstance(value, list) else _text(value).split(";")
    ids = [p.strip() if isinstance(p, str) else str(p) for p in parts]
    ids = [p for p in ids if p]
    if not ids:
        raise ValueError("an agreement must name at least one agency")
    if len(set(ids)) != len(ids):
        raise ValueError("an agency is named twice")
    return ";".join(ids)


# Text and ids are checked by pydantic-core (fast); readers have already turned every value into text.
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=TEXT_PATTERN)]
Day = Annotated[date, BeforeValidator(parse_date)]
Flag = Annotated[bool, BeforeValidator(parse_bool)]
Latitude = Annotated[float, BeforeValidator(parse_latitude), Field(json_schema_extra={"minimum": -90, "maximum": 90})]
Longitude = Annotated[
    float, BeforeValidator(parse_longitude), Field(json_schema_extra={"minimum": -180, "maximum": 180})
]
Days = Annotated[int, BeforeValidator(parse_days), Field(json_schema_extra={"minimum": 0, "maximum": MAX_DAYS})]
Birth = Annotated[str, BeforeValidator(parse_birth), Field(json_schema_extra={"pattern": r"^\d{4}(-\d{2}-\d{2})?$"})]
RelationName = Annotated[Relation, BeforeValidator(_choice(Relation, "relation"))]
PolarityName = Annotated[Polarity, BeforeValidator(_choice(Polarity, "polarity"))]
AgencyKindName = Annotated[AgencyKind, BeforeValidator(_choice(AgencyKind, "agency kind"))]
SchemeName = Annotated[Scheme, BeforeValidator(_choice(Scheme, "grading scheme"))]
CollectionName = Annotated[CollectionMethod, BeforeValidator(_choice(CollectionMethod, "collection method"))]
AgencyList = Annotated[
    str, BeforeValidator(parse_agency_list), Field(description="agency ids separated by ';'", min_length=1)
]


class Row(BaseModel):
    """Base: unknown fields are refused, text is stripped."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def problems(self) -> list[tuple[str | None, str]]:
        """Checks across fields of this row: (field, reason) pairs."""
        return []

    def record(self) -> dict[str, Any]:
        """The stored columns (as in engine.models), without import_id."""
        return self.model_dump()

    @classmethod
    def raw_problems(cls, values: dict[str, Any], bad: set[str]) -> list[tuple[str | None, str]]:
        """Cross-field checks that can still run on a row some of whose fields failed (`bad`)."""
        if "grading" not in cls.model_fields or values.get("grading") is None or bad & {"grading", "grading_scheme"}:
            return []
        try:
            scheme = Scheme(str(values.get("grading_scheme") or "admiralty").strip().lower())
        except ValueError:
            return []
        return _grading_problems(str(values["grading"]).strip(), scheme)


class PersonRow(Row):
    """people.csv: one agency's record of a young person."""

    person_id: Id = Field(description="unique id of this record (unique across people, locations and incidents)")
    name: Text = Field(description="display name")
    date_of_birth: Birth | None = Field(None, description="YYYY-MM-DD, or YYYY when only the year is known")
    sex: Text | None = None
    ethnicity: Text | None = Field(None, description="kept for disproportionality monitoring only")
    area: Text | None = None
    school: Text | None = None
    review_by: Day | None = Field(None, description="date by which this record must be reviewed")
    agency: Id | None = Field(None, description="the agency whose record this is")

    def record(self) -> dict[str, Any]:
        dob: date | None = None
        year: int | None = None
        if self.date_of_birth:
            year = int(self.date_of_birth[:4])
            if len(self.date_of_birth) > 4:
                dob = date.fromisoformat(self.date_of_birth)
        out = self.model_dump()
        out.update(date_of_birth=dob, birth_year=year)
        return out


class LocationRow(Row):
    """locations.csv: a place."""

    location_id: Id
    name: Text
    kind: Text | None = Field(None, description="park, station, shop, school, estate, transport route, online ...")
    of_concern: Flag = Field(False, description="true when the partnership regards the place as of concern")
    area: Text | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None


class IncidentRow(Row):
    """incidents.csv: something that happened."""

    incident_id: Id
    date: Day
    kind: Text
    location_id: Id | None = Field(None, description="a location_id (from this import or an earlier one)")
    summary: Text | None = None


class AgencyRow(Row):
    """agencies.csv: a contributing agency."""

    agency_id: Id
    name: Text
    kind: AgencyKindName = AgencyKind.UNKNOWN

    def record(self) -> dict[str, Any]:
        return {"agency_id": self.agency_id, "name": self.name, "kind": self.kind.value}


class AgreementRow(Row):
    """agreements.csv: an information-sharing agreement."""

    agreement_id: Id
    agencies: AgencyList
    purpose: Text
    lawful_basis: Text = Field(
        description="a UK GDPR Art 6(1) basis, plus an Art 9(2) / DPA 2018 Sch 1 condition for special-category data"
    )
    valid_from: Day
    valid_to: Day | None = None
    retention_days: Days | None = None
    dpia_ref: Text | None = None
    special_category: Flag = Field(
        False, description="true when special-category data (health, ethnicity, sex life ...) is shared under it"
    )
    dpo_consulted_on: Day | None = Field(None, description="the date the data protection officer was consulted")

    def problems(self) -> list[tuple[str | None, str]]:
        out: list[tuple[str | None, str]] = []
        if self.valid_to is not None and self.valid_to < self.valid_from:
            out.append(("valid_to", f"valid_to {self.valid_to} is before valid_from {self.valid_from}"))
        why = lawful_basis_problem(self.lawful_basis, self.special_category)
        if why:
            out.append(("lawful_basis", why))
        return out


@lru_cache(maxsize=4096)
def _grading(code: str, scheme: str) -> Grading:
    return parse_grading(code, scheme)


def _grading_problems(code: str | None, scheme: Scheme) -> list[tuple[str | None, str]]:
    if code is None:
        return []
    try:
        _grading(code, scheme.value)
    except GradingError as exc:
        return [("grading", str(exc))]
    return []


def _normal_grading(code: str | None, scheme: Scheme) -> str | None:
    if code is None:
        return None
    try:
        return _grading(code, scheme.value).code
    except GradingError:
        return code  # reported by problems(); the import is rejected


class EvidenceRow(Row):
    """evidence.csv: one claim from one source about one link."""

    evidence_id: Id
    subject_id: Id = Field(description="a person_id")
    object_id: Id = Field(description="a person_id, location_id or incident_id, as the relation requires")
    relation: RelationName
    polarity: PolarityName = Polarity.SUPPORTS
    agency: Id
    grading: Text
    grading_scheme: SchemeName = Scheme.ADMIRALTY
    observed_on: Day
    recorded_on: Day | None = Field(None, description="defaults to observed_on")
    agreement_id: Id
    source_ref: Text | None = None
    recorder: Text | None = None
    note: Text | None = None
    supersedes: Id | None = Field(None, description="an earlier evidence_id this row corrects or retracts")
    retraction: Flag = Field(False, description="true: this row only withdraws `supersedes`")
    relayed_from: Text | None = Field(
        None,
        description=(
            'the evidence_id or source reference this item repeats ("police told us he was there"): '
            "counted as one origin with it, whichever agency recorded it"
        ),
    )
    collection_method: CollectionName = Field(
        CollectionMethod.UNSPECIFIED,
        description="how the information was collected; the rule pack decides which methods are used",
    )
    restricted: Flag = Field(
        False,
        description="true: only this agency reads the note and source_ref (also implied by a 5x5x5 handling "
        "code other than 1 or a 3x5x2 handling code C)",
    )

    def problems(self) -> list[tuple[str | None, str]]:
        out = _grading_problems(self.grading, self.grading_scheme)
        if self.relayed_from is not None and self.relayed_from == self.evidence_id:
            out.append(("relayed_from", "an item cannot be relayed from itself"))
        if self.recorded_on is not None and self.recorded_on < self.observed_on:
            out.append(("recorded_on", f"recorded_on {self.recorded_on} is before observed_on {self.observed_on}"))
        if self.subject_id == self.object_id:
            out.append(("object_id", "object_id is the same as subject_id: a link needs two different ends"))
        if self.retraction and not self.supersedes:
            out.append(("supersedes", "a retraction must name the evidence it withdraws in `supersedes`"))
        if self.supersedes == self.evidence_id:
            out.append(("supersedes", "a row cannot supersede itself"))
        return out

    def record(self) -> dict[str, Any]:
        out = self.model_dump()
        out.update(
            relation=self.relation.value,
            polarity=self.polarity.value,
            grading_scheme=self.grading_scheme.value,
            grading=_normal_grading(self.grading, self.grading_scheme),
            recorded_on=self.recorded_on or self.observed_on,
            collection_method=self.collection_method.value,
        )
        out["restricted"] = is_restricted(out)
        return out


class _PersonNote(Row):
    """Shared checks of strengths and concerns (each declares its own fields, id first)."""

    def problems(self) -> list[tuple[str | None, str]]:
        return _grading_problems(getattr(self, "grading", None), getattr(self, "grading_scheme", Scheme.ADMIRALTY))

    def record(self) -> dict[str, Any]:
        out = self.model_dump()
        scheme = getattr(self, "grading_scheme", Scheme.ADMIRALTY)
        out.update(grading_scheme=scheme.value, grading=_normal_grading(getattr(self, "grading", None), scheme))
        out["restricted"] = is_restricted(out)
        return out


class StrengthRow(_PersonNote):
    """strengths.csv: a protective factor on a young person (trusted adult, sports club, ...)."""

    strength_id: Id
    person_id: Id
    kind: Text
    agency: Id
    grading: Text | None = None
    grading_scheme: SchemeName = Scheme.ADMIRALTY
    recorded_on: Day
    agreement_id: Id
    note: Text | None = None
    restricted: Flag = Field(
        False,
        description="true: only this agency reads the note (also implied by a 5x5x5 handling code other "
        "than 1 or a 3x5x2 handling code C)",
    )


class ConcernRow(_PersonNote):
    """concerns.csv: a concern about a young person."""

    concern_id: Id
    person_id: Id
    kind: Text
    agency: Id
    grading: Text | None = None
    grading_scheme: SchemeName = Scheme.ADMIRALTY
    recorded_on: Day
    agreement_id: Id
    note: Text | None = None
    restricted: Flag = Field(
        False,
        description="true: only this agency reads the note (also implied by a 5x5x5 handling code other "
        "than 1 or a 3x5x2 handling code C)",
    )


@dataclass(frozen=True)
class TableSpec:
    name: str  # table key in dicts/JSON and the sheet name in a workbook
    model: type[Row]
    id_field: str

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def columns(self) -> list[str]:
        return list(self.model.model_fields)

    @property
    def required(self) -> list[str]:
        return [n for n, f in self.model.model_fields.items() if f.is_required()]


# In dependency order: what later tables refer to comes first.
TABLES: dict[str, TableSpec] = {
    s.name: s
    for s in (
        TableSpec("agencies", AgencyRow, "agency_id"),
        TableSpec("agreements", AgreementRow, "agreement_id"),
        TableSpec("people", PersonRow, "person_id"),
        TableSpec("locations", LocationRow, "location_id"),
        TableSpec("incidents", IncidentRow, "incident_id"),
        TableSpec("evidence", EvidenceRow, "evidence_id"),
        TableSpec("strengths", StrengthRow, "strength_id"),
        TableSpec("concerns", ConcernRow, "concern_id"),
    )
}
NODE_TABLES = ("people", "locations", "incidents")
