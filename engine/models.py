"""SQLModel tables: the stored domain. Rows are appended, never edited in place (except meta)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import false
from sqlmodel import Field, SQLModel

# 2: rule pack; 3: audit row_digest; 4: relayed_from, collection_method, agreement governance;
# 5: restricted items and restricted_detail, audit appended through peermap_audit_append on PostgreSQL
SCHEMA_VERSION = 5


class Meta(SQLModel, table=True):
    """Key/value facts about the database itself (schema version, demo flag)."""

    key: str = Field(primary_key=True, max_length=64)
    value: str


class ImportBatch(SQLModel, table=True):
    """One import: who, when, what file (by digest) and how many rows of each table."""

    __tablename__ = "import_batch"
    id: int | None = Field(default=None, primary_key=True)
    actor: str
    role: str
    imported_at: datetime = Field(index=True)
    source: str
    digest: str = Field(index=True)
    counts: str  # JSON object {table: rows}


class Agency(SQLModel, table=True):
    agency_id: str = Field(primary_key=True)
    name: str
    kind: str = "unknown"  # police | social_care | school | youth_work | health | voluntary | unknown
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class SharingAgreement(SQLModel, table=True):
    __tablename__ = "sharing_agreement"
    agreement_id: str = Field(primary_key=True)
    agencies: str  # ';'-separated agency ids
    purpose: str
    lawful_basis: str
    valid_from: date
    valid_to: date | None = None
    retention_days: int | None = None
    dpia_ref: str | None = None
    special_category: bool = False  # special-category data is shared under it (needs an Art 9 / Sch 1 condition)
    dpo_consulted_on: date | None = None
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class YoungPerson(SQLModel, table=True):
    """One agency's record of a young person; identity links may join several records into one."""

    __tablename__ = "young_person"
    person_id: str = Field(primary_key=True)
    name: str
    date_of_birth: date | None = None
    birth_year: int | None = None
    sex: str | None = None
    ethnicity: str | None = None
    area: str | None = None
    school: str | None = None
    review_by: date | None = None
    agency: str | None = None  # the agency whose record this is, when known
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class Location(SQLModel, table=True):
    location_id: str = Field(primary_key=True)
    name: str
    kind: str | None = None
    of_concern: bool = False
    area: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class Incident(SQLModel, table=True):
    incident_id: str = Field(primary_key=True)
    date: date
    kind: str
    location_id: str | None = None
    summary: str | None = None
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class Evidence(SQLModel, table=True):
    """One claim from one source about one link. Corrections/retractions are new rows (`supersedes`)."""

    evidence_id: str = Field(primary_key=True)
    subject_id: str = Field(index=True)
    object_id: str = Field(index=True)
    object_kind: str  # person | location | incident
    relation: str
    polarity: str = "supports"  # supports | refutes
    agency: str
    grading_scheme: str = "admiralty"  # admiralty | 5x5x5 | 3x5x2 | record
    grading: str
    observed_on: date
    recorded_on: date
    agreement_id: str
    source_ref: str | None = None
    recorder: str | None = None
    note: str | None = None
    supersedes: str | None = None  # evidence_id this row corrects or retracts
    retraction: bool = False  # True: this row only withdraws `supersedes`
    relayed_from: str | None = None  # evidence id or source reference this item repeats (one origin with it)
    collection_method: str = "unspecified"  # engine.vocab.CollectionMethod
    # Readable only by its agency: note and source_ref live in restricted_detail. The server default keeps
    # rows written by other tools (and older exports) unrestricted unless they say otherwise.
    restricted: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class _PersonFactor(SQLModel):
    """What a strength and a concern share: one agency's graded, sourced note about one young person."""

    person_id: str = Field(index=True)
    kind: str
    agency: str
    grading_scheme: str = "admiralty"
    grading: str | None = None
    recorded_on: date
    agreement_id: str
    note: str | None = None
    restricted: bool = Field(default=False, sa_column_kwargs={"server_default": false()})  # note: restricted_detail
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class Strength(_PersonFactor, table=True):
    """A protective factor (trusted adult, sports club, engaged in education, ...)."""

    strength_id: str = Field(primary_key=True)


class Concern(_PersonFactor, table=True):
    """A concern about a young person (criminal exploitation, missing episodes, ...)."""

    concern_id: str = Field(primary_key=True)


class RestrictedDetail(SQLModel, table=True):
    """The note and source reference of a restricted item, readable only by its own agency.

    The item's row (evidence, concern, strength) stays readable by everyone, without these two fields, so
    every login scores the same map and sees that a restricted item exists, from which agency, with its
    grading. On PostgreSQL, row-level security limits this table to members of `peermap_agency_<agency>`.
    """

    __tablename__ = "restricted_detail"
    item_kind: str = Field(primary_key=True, max_length=16)  # evidence | concern | strength
    item_id: str = Field(primary_key=True)
    agency: str = Field(index=True)
    note: str | None = None
    source_ref: str | None = None
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")


class PolicyVersion(SQLModel, table=True):
    """One inclusion-policy version; the one with the latest created_at <= t is in force at t."""

    __tablename__ = "policy_version"
    version: int = Field(primary_key=True)
    created_at: datetime = Field(index=True)
    actor: str
    role: str
    reason: str
    replaces: int | None = None
    body: str  # JSON of engine.policy.InclusionPolicy


class Decision(SQLModel, table=True):
    """A practitioner's decision on an intervention suggestion (append-only; latest wins)."""

    id: int | None = Field(default=None, primary_key=True)
    suggestion_id: str = Field(index=True)
    intervention_id: str
    target_kind: str
    target_id: str
    decision: str  # accept | reject | defer
    reason: str
    actor: str
    role: str
    decided_at: datetime


class Breach(SQLModel, table=True):
    """A personal-data breach in the partnership's breach register (append-only; audited when recorded)."""

    id: int | None = Field(default=None, primary_key=True)
    occurred_on: date
    discovered_on: date
    description: str
    agreement_id: str | None = None  # the sharing agreement the data was shared under, when known
    people_affected: int | None = None
    reported_to_ico: bool = False
    ico_reference: str | None = None
    actor: str
    role: str
    recorded_at: datetime = Field(index=True)


class IdentityDecision(SQLModel, table=True):
    """A reviewed identity match between two agency records (append-only; latest per pair wins)."""

    __tablename__ = "identity_decision"
    id: int | None = Field(default=None, primary_key=True)
    record_a: str = Field(index=True)
    record_b: str = Field(index=True)
    status: str  # confirmed | rejected | unsure | unlinked
    score: float | None = None
    reason: str
    actor: str
    role: str
    decided_at: datetime


class RulePackVersion(SQLModel, table=True):
    """An evidence rule pack as first used by this database, so a replay "as at" D scores with the pack of D."""

    __tablename__ = "rule_pack_version"
    version: str = Field(primary_key=True)
    digest: str  # SHA-256 of the pack file's text
    text: str
    recorded_at: datetime = Field(index=True)


class AuditEvent(SQLModel, table=True):
    """Append-only, SHA-256 hash-chained record of every import, change, view, report and export."""

    __tablename__ = "audit_event"
    seq: int = Field(primary_key=True)
    at: str  # ISO-8601 UTC timestamp, as hashed
    actor: str
    role: str
    action: str = Field(index=True)
    payload: str  # canonical JSON
    prev_hash: str
    hash: str
    # The hash covers these digests, not the payload itself, so erasing personal content later leaves a
    # tombstone (payload and salt cleared, erased_by set) and an unbroken chain (decision 0007).
    salt: str | None = None  # random per event: the content digest reveals nothing about erased content
    content_digest: str | None = None  # sha256(salt + "\n" + payload)
    data_ref: str | None = None  # what the event wrote: "import:7", "policy_version:3", "decision:12", ...
    data_digest: str | None = None  # digest over the row digests of data_ref
    erased_by: int | None = None  # seq of the erasure event that cleared payload and salt


class RowDigest(SQLModel, table=True):
    """The digest of one data row as written, under the audit event that wrote it (its `ref`).

    `audit verify` recomputes every row's digest and names the first that no longer matches; the event's
    data_digest covers these entries, so editing or deleting them breaks the chain too.
    """

    __tablename__ = "row_digest"
    tbl: str = Field(primary_key=True, max_length=64)
    row_id: str = Field(primary_key=True)
    ref: str = Field(index=True)
    salt: str | None = None  # cleared on erasure, with the row's personal content
    digest: str
    erased_by: int | None = None  # seq of the erasure event; the row's content is then not recomputed


DATA_TABLES: tuple[type[SQLModel], ...] = (
    Agency,
    SharingAgreement,
    YoungPerson,
    Location,
    Incident,
    Evidence,
    Strength,
    Concern,
)
