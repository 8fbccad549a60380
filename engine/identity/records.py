"""The fields identity matching reads, as parallel columns over a list of records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from ..models import YoungPerson
from .text import first_given, normalise, normalise_text, split_name

_SEX = {"f": "f", "female": "f", "girl": "f", "woman": "f", "m": "m", "male": "m", "boy": "m", "man": "m"}


def normal_sex(value: str | None) -> str:
    v = normalise(value)
    return _SEX.get(v, v)


@dataclass
class RecordTable:
    """Normalised matching fields, one entry per record, sorted by record id (so order never matters)."""

    ids: list[str]
    display: list[str]  # the name as recorded, for explanations
    given: list[str]  # first given name, normalised
    surname: list[str]
    year: np.ndarray  # int32, -1 when unknown
    month: np.ndarray  # int8, -1 when unknown (also when only the year is known)
    day: np.ndarray  # int8
    sex: list[str]
    area: list[str]
    school: list[str]
    address: list[str]
    source: np.ndarray  # int32: which file or agency; linkage compares only across sources when asked

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def full_dob(self) -> np.ndarray:
        return (self.year >= 0) & (self.month >= 1) & (self.day >= 1)

    @classmethod
    def build(cls, rows: Sequence[dict[str, object]]) -> RecordTable:
        """From dicts with keys id, given, surname, and optional date_of_birth (a date, or a (year, month,
        day) tuple for dates as recorded), birth_year, sex, area, school, address, source (int), display."""
        ordered = sorted(rows, key=lambda r: str(r["id"]))
        ids = [str(r["id"]) for r in ordered]
        if len(set(ids)) != len(ids):
            raise ValueError("record ids must be unique")
        n = len(ordered)
        year = np.full(n, -1, dtype=np.int32)
        month = np.full(n, -1, dtype=np.int8)
        day = np.full(n, -1, dtype=np.int8)
        for i, r in enumerate(ordered):
            dob = r.get("date_of_birth")
            if isinstance(dob, date):
                year[i], month[i], day[i] = dob.year, dob.month, dob.day
            elif isinstance(dob, tuple):  # (year, month, day) as recorded, even if not a valid calendar date
                year[i], month[i], day[i] = dob
            elif r.get("birth_year") is not None:
                year[i] = int(str(r["birth_year"]))

        def text(key: str) -> list[str]:
            return [normalise_text(str(r.get(key) or "")) for r in ordered]

        return cls(
            ids=ids,
            display=[
                str(r.get("display") or f"{r.get('given') or ''} {r.get('surname') or ''}".strip()) for r in ordered
            ],
            given=[first_given(normalise(str(r.get("given") or ""))) for r in ordered],
            surname=[normalise(str(r.get("surname") or "")) for r in ordered],
            year=year,
            month=month,
            day=day,
            sex=[normal_sex(str(r.get("sex") or "")) for r in ordered],
            area=text("area"),
            school=text("school"),
            address=text("address"),
            source=np.array([int(str(r.get("source") or 0)) for r in ordered], dtype=np.int32),
        )

    @classmethod
    def from_people(cls, people: Sequence[YoungPerson]) -> RecordTable:
        """From stored agency records; the display name is split into given name and surname."""
        rows: list[dict[str, object]] = []
        for p in people:
            given, surname = split_name(p.name)
            rows.append(
                {
                    "id": p.person_id,
                    "display": p.name,
                    "given": given,
                    "surname": surname,
                    "date_of_birth": p.date_of_birth,
                    "birth_year": p.birth_year,
                    "sex": p.sex,
                    "area": p.area,
                    "school": p.school,
                }
            )
        return cls.build(rows)
