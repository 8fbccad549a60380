"""Invented people for the demo borough: common UK first names and surnames, nicknames, typos.

Every name combination is generated; none describes a real child.
"""

from __future__ import annotations

import random
from collections.abc import Container
from datetime import date

FIRST_MALE: tuple[str, ...] = (
    "Aaron",
    "Abdi",
    "Adam",
    "Ahmed",
    "Aiden",
    "Alexander",
    "Ali",
    "Amir",
    "Archie",
    "Arjun",
    "Ayaan",
    "Bilal",
    "Callum",
    "Charlie",
    "Connor",
    "Daniel",
    "Dylan",
    "Ethan",
    "Ezra",
    "Finley",
    "George",
    "Hamza",
    "Harrison",
    "Harry",
    "Hassan",
    "Ibrahim",
    "Isaac",
    "Jacob",
    "Jake",
    "Jamal",
    "Jayden",
    "Joel",
    "Jordan",
    "Joseph",
    "Joshua",
    "Jude",
    "Kai",
    "Kayden",
    "Kian",
    "Kofi",
    "Kwame",
    "Leo",
    "Liam",
    "Lewis",
    "Logan",
    "Mason",
    "Mohammed",
    "Musa",
    "Nathaniel",
    "Noah",
    "Oliver",
    "Omar",
    "Oscar",
    "Reuben",
    "Rhys",
    "Riley",
    "Ryan",
    "Samuel",
    "Shay",
    "Theo",
    "Tobi",
    "Tyler",
    "Yusuf",
    "Zain",
    "Zachary",
    "Malachi",
    "Dominic",
    "Tomasz",
    "Jakub",
    "Mateo",
    "Rohan",
    "Tariq",
)
FIRST_FEMALE: tuple[str, ...] = (
    "Aaliyah",
    "Abigail",
    "Aisha",
    "Alicia",
    "Amara",
    "Amelia",
    "Amira",
    "Anya",
    "Ava",
    "Bella",
    "Chloe",
    "Courtney",
    "Demi",
    "Ella",
    "Ellie",
    "Emily",
    "Eva",
    "Evie",
    "Fatima",
    "Freya",
    "Grace",
    "Hafsa",
    "Hannah",
    "Holly",
    "Imani",
    "Isabella",
    "Isla",
    "Jade",
    "Jasmine",
    "Jessica",
    "Kayla",
    "Keira",
    "Lacey",
    "Layla",
    "Leah",
    "Lily",
    "Maisie",
    "Maryam",
    "Mia",
    "Millie",
    "Nadia",
    "Niamh",
    "Nia",
    "Olivia",
    "Phoebe",
    "Poppy",
    "Precious",
    "Priya",
    "Rosie",
    "Ruby",
    "Safiya",
    "Sara",
    "Scarlett",
    "Shanice",
    "Sienna",
    "Sophie",
    "Tia",
    "Tiana",
    "Zara",
    "Zuzanna",
    "Maja",
    "Esme",
    "Kiera",
    "Destiny",
    "Simran",
    "Halima",
    "Naomi",
    "Eden",
    "Jada",
    "Ruth",
)
SURNAMES: tuple[str, ...] = (
    "Abbott",
    "Adeyemi",
    "Ahmed",
    "Akhtar",
    "Ali",
    "Allen",
    "Asante",
    "Bailey",
    "Baker",
    "Begum",
    "Bennett",
    "Boateng",
    "Brown",
    "Campbell",
    "Carter",
    "Chowdhury",
    "Clarke",
    "Cole",
    "Collins",
    "Davies",
    "Dixon",
    "Doherty",
    "Edwards",
    "Evans",
    "Fernandes",
    "Fletcher",
    "Francis",
    "Gordon",
    "Grant",
    "Green",
    "Hall",
    "Haque",
    "Harris",
    "Hughes",
    "Hussain",
    "Iqbal",
    "Jackson",
    "James",
    "Johnson",
    "Jones",
    "Kaur",
    "Kelly",
    "Khan",
    "Kowalski",
    "Lewis",
    "Lopes",
    "Mahmood",
    "Malik",
    "Martin",
    "McCarthy",
    "Mensah",
    "Miah",
    "Mitchell",
    "Morgan",
    "Murphy",
    "Nowak",
    "Nwosu",
    "O'Brien",
    "Okafor",
    "Okoro",
    "Osei",
    "Owusu",
    "Palmer",
    "Parker",
    "Patel",
    "Phillips",
    "Powell",
    "Price",
    "Rahman",
    "Reid",
    "Richards",
    "Roberts",
    "Robinson",
    "Rossi",
    "Shah",
    "Sharma",
    "Singh",
    "Smith",
    "Stewart",
    "Taylor",
    "Thomas",
    "Thompson",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wright",
    "Yusuf",
    "Zielinski",
    "Mohamed",
    "Farah",
    "Gashi",
    "Popescu",
)

# Nicknames an agency might record instead of the given name (the identity-matching hard case).
NICKNAMES: dict[str, str] = {
    "Jayden": "Jay",
    "Alexander": "Alex",
    "Mohammed": "Mo",
    "Daniel": "Danny",
    "Joshua": "Josh",
    "Samuel": "Sam",
    "Nathaniel": "Nate",
    "Oliver": "Ollie",
    "Zachary": "Zach",
    "Joseph": "Joe",
    "Isabella": "Bella",
    "Jessica": "Jess",
    "Olivia": "Liv",
    "Abigail": "Abi",
    "Amelia": "Millie",
    "Harrison": "Harry",
    "Tobi": "Tobiloba",
    "Jacob": "Jake",
    "Kayden": "Kay",
    "Theo": "Theodore",
    "Courtney": "Cortney",
    "Precious": "Presh",
    "Ibrahim": "Ibby",
    "Hamza": "Hamz",
    "Callum": "Cal",
}

# Ethnicity as a partnership would record it (2021 Census style), weighted like a diverse urban borough;
# "" is "not recorded".
ETHNICITIES: tuple[tuple[str, int], ...] = (
    ("White British", 30),
    ("White Other", 9),
    ("Black African", 13),
    ("Black Caribbean", 7),
    ("Mixed White and Black Caribbean", 6),
    ("Mixed Other", 4),
    ("Asian Pakistani", 8),
    ("Asian Bangladeshi", 7),
    ("Asian Indian", 5),
    ("Other ethnic group", 3),
    ("", 8),
)


def pick_weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...] | list[tuple[str, int]]) -> str:
    values = [v for v, _ in pairs]
    weights = [w for _, w in pairs]
    return rng.choices(values, weights=weights, k=1)[0]


def first_name(rng: random.Random, sex: str) -> str:
    return rng.choice(FIRST_FEMALE if sex == "female" else FIRST_MALE)


def similar_first_name(rng: random.Random, name: str, sex: str) -> str:
    """A different first name sharing the first letter where possible (twins, cousins)."""
    pool = FIRST_FEMALE if sex == "female" else FIRST_MALE
    same_initial = [n for n in pool if n[0] == name[0] and n != name]
    return rng.choice(same_initial or [n for n in pool if n != name])


def typo(rng: random.Random, word: str) -> str:
    """A plausible keying error: two adjacent letters swapped, or one letter dropped or doubled."""
    letters = [i for i in range(1, len(word) - 1) if word[i].isalpha() and word[i + 1].isalpha()]
    if not letters:
        return word + word[-1]
    i = rng.choice(letters)
    how = rng.randrange(3)
    if how == 0 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if how == 1:
        return word[:i] + word[i + 1 :]
    return word[: i + 1] + word[i] + word[i + 1 :]


def transposed(dob: date) -> date | None:
    """The date with day and month swapped (a US-style keying error), when that is a different valid date."""
    if dob.day > 12 or dob.day == dob.month:
        return None
    try:
        return dob.replace(month=dob.day, day=dob.month)
    except ValueError:
        return None


# Unique names at any scale. The first-name x surname pool holds about 13,500 names; a city needs far more.
# A few random draws from the plain pool keep small boroughs exactly as they were; past that, double-barrelled
# surnames (about 1.3 million more names) and, for a namesake found late, a middle name. Every step is bounded:
# the last resort walks the pool in a fixed order from a random start, so it ends after at most `capacity` steps.
PLAIN_TRIES = 25


def surname_count() -> int:
    """How many surnames there are: single ones and the double-barrelled pairs of two different ones."""
    n = len(SURNAMES)
    return n + n * (n - 1)


def surname_at(k: int) -> str:
    """The k-th surname in a fixed order: the single surnames first, then the double-barrelled ones."""
    n = len(SURNAMES)
    if k < n:
        return SURNAMES[k]
    a, b = divmod(k - n, n - 1)
    return f"{SURNAMES[a]}-{SURNAMES[b + (b >= a)]}"


def unique_first_and_surname(rng: random.Random, sex: str, used: set[tuple[str, str]]) -> tuple[str, str]:
    """A (first name, surname) not in `used` (which the caller keeps), after a bounded number of draws."""
    for _ in range(PLAIN_TRIES):
        candidate = first_name(rng, sex), rng.choice(SURNAMES)
        if candidate not in used:
            return candidate
    pool = FIRST_FEMALE if sex == "female" else FIRST_MALE
    capacity = len(pool) * surname_count()
    for _ in range(PLAIN_TRIES):
        k = rng.randrange(capacity)
        candidate = pool[k % len(pool)], surname_at(k // len(pool))
        if candidate not in used:
            return candidate
    start = rng.randrange(capacity)
    for step in range(capacity):
        k = (start + step) % capacity
        candidate = pool[k % len(pool)], surname_at(k // len(pool))
        if candidate not in used:
            return candidate
    raise ValueError(f"every one of the {capacity} {sex} names is taken")


def middle_name_for(rng: random.Random, first: str, surname: str, sex: str, taken: Container[str]) -> str:
    """A middle name (another first name of the same sex) giving a full name not in `taken`, or "" if none."""
    pool = [n for n in (FIRST_FEMALE if sex == "female" else FIRST_MALE) if n != first]
    start = rng.randrange(len(pool))
    for step in range(len(pool)):
        middle = pool[(start + step) % len(pool)]
        if f"{first} {middle} {surname}" not in taken:
            return middle
    return ""
