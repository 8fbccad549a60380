"""The demo borough's children and the agency records that describe them (including duplicates)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import names
from .places import AREAS, COLLEGE, PRIMARY, PRU, SECONDARY

AGE_WEIGHTS: tuple[tuple[int, int], ...] = (
    (10, 5),
    (11, 7),
    (12, 10),
    (13, 14),
    (14, 17),
    (15, 18),
    (16, 16),
    (17, 13),
)


@dataclass(eq=False)  # children are compared (and hashed) by identity
class Child:
    """One real (fictional) child; `pid` is the partnership's record of them."""

    pid: str
    first: str
    surname: str
    sex: str
    dob: date
    ethnicity: str
    area: str
    school: str
    agency: str
    review_by: date | None = None
    groups: list[int] = field(default_factory=list)
    stale: bool = False  # every link ended over a year ago
    isolated: bool = False  # planted case: gets only the links its case gives it
    planted: bool = False  # already used by a planted case (twins, duplicates, ...)
    middle: str = ""  # only where a city runs out of plain names

    @property
    def name(self) -> str:
        return f"{self.first} {self.middle} {self.surname}" if self.middle else f"{self.first} {self.surname}"


@dataclass
class Record:
    """One agency's record of a child: the partnership record or another agency's duplicate."""

    person_id: str
    child: Child
    name: str
    date_of_birth: str
    sex: str
    ethnicity: str
    area: str
    school: str
    review_by: str
    agency: str

    def row(self) -> dict[str, str]:
        return {
            "person_id": self.person_id,
            "name": self.name,
            "date_of_birth": self.date_of_birth,
            "sex": self.sex,
            "ethnicity": self.ethnicity,
            "area": self.area,
            "school": self.school,
            "review_by": self.review_by,
            "agency": self.agency,
        }


def dob_for_age(rng: random.Random, age: int, today: date) -> date:
    """A birth date giving exactly `age` on `today`."""
    latest = (
        today.replace(year=today.year - age)
        if not (today.month == 2 and today.day == 29)
        else date(today.year - age, 2, 28)
    )
    return latest - timedelta(days=rng.randrange(0, 365))


def school_for(rng: random.Random, age: int, area: str) -> str:
    if age <= 11:
        return PRIMARY
    if age >= 16:
        return rng.choice((COLLEGE, COLLEGE, COLLEGE, ""))
    if rng.random() < 0.04:
        return PRU
    preferred = {"Marlow": 0, "Kestrel Vale": 0, "St Anselm's": 1, "Hollins Green": 1}.get(area, 2)
    return SECONDARY[preferred] if rng.random() < 0.6 else rng.choice(SECONDARY)


def make_children(rng: random.Random, n: int, today: date) -> list[Child]:
    """`n` children aged 10-17 with unique names (ids are assigned later, in a shuffled order)."""
    ages = [a for a, _ in AGE_WEIGHTS]
    weights = [w for _, w in AGE_WEIGHTS]
    used: set[tuple[str, str]] = set()
    out: list[Child] = []
    for _ in range(n):
        sex = "female" if rng.random() < 0.48 else "male"
        first, surname = names.unique_first_and_surname(rng, sex, used)
        used.add((first, surname))
        age = rng.choices(ages, weights=weights, k=1)[0]
        area = rng.choice(AREAS)
        out.append(
            Child(
                pid="",
                first=first,
                surname=surname,
                sex=sex,
                dob=dob_for_age(rng, age, today),
                ethnicity=names.pick_weighted(rng, names.ETHNICITIES),
                area=area,
                school=school_for(rng, age, area),
                agency=rng.choice(("CSC", "CSC", "EDU", "EDU", "YS", "NPOL")),
            )
        )
    return out


def primary_record(child: Child) -> Record:
    return Record(
        child.pid,
        child,
        child.name,
        child.dob.isoformat(),
        child.sex,
        child.ethnicity,
        child.area,
        child.school,
        child.review_by.isoformat() if child.review_by else "",
        child.agency,
    )


# How another agency's record of the same child differs from the partnership record.
DUPLICATE_VARIANTS: tuple[str, ...] = (
    "nickname",
    "transposed_dob",
    "surname_typo",
    "year_only_dob",
    "missing_fields",
    "nickname_typo_area",
)


def duplicate_record(rng: random.Random, child: Child, record_id: str, agency: str, variant: str) -> Record:
    """A second record of `child`, as another agency keyed it."""
    first, surname = child.first, child.surname
    dob = child.dob.isoformat()
    sex, ethnicity, area, school = child.sex, child.ethnicity, child.area, child.school
    if variant in ("nickname", "nickname_typo_area"):
        first = names.NICKNAMES.get(first, first)
    if variant in ("surname_typo", "nickname_typo_area"):
        surname = names.typo(rng, surname)
    if variant == "nickname_typo_area":
        area = rng.choice([a for a in AREAS if a != area])
    if variant == "transposed_dob":
        swapped = names.transposed(child.dob)
        dob = swapped.isoformat() if swapped else str(child.dob.year)
    if variant == "year_only_dob":
        dob = str(child.dob.year)
        school = ""
    if variant == "missing_fields":
        dob, ethnicity, school = "", "", ""
    # Other agencies rarely hold a review date; police records often lack ethnicity as self-defined.
    return Record(
        record_id,
        child,
        f"{first} {child.middle} {surname}" if child.middle else f"{first} {surname}",
        dob,
        sex,
        ethnicity if agency != "TPOL" else "",
        area,
        school,
        "",
        agency,
    )
