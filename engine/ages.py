"""A young person's age on a date: the one place ages are worked out."""

from __future__ import annotations

from datetime import date

from .models import YoungPerson


def years_between(born: date, on: date) -> int:
    """Whole years from a date of birth to a date (the age on that day)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_on(person: YoungPerson, on: date) -> tuple[int, int] | None:
    """(youngest, oldest) possible age on a date: exact from a date of birth, a range from a birth year."""
    if person.date_of_birth is not None:
        age = years_between(person.date_of_birth, on)
        return age, age
    if person.birth_year is not None:
        return on.year - person.birth_year - 1, on.year - person.birth_year
    return None


def age_text(person: YoungPerson, on: date) -> str | None:
    """The age as shown in reports: "14", or "13-14" when only the birth year is known."""
    ages = age_on(person, on)
    if ages is None:
        return None
    return str(ages[0]) if ages[0] == ages[1] else f"{ages[0]}-{ages[1]}"
