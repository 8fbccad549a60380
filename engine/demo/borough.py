"""generate(): the fictional borough of Northbridge as monthly agency imports, with planted hard cases.

Everything comes from one `random.Random(seed)`; the same seed and date give identical tables.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from operator import itemgetter
from typing import Any

from sortedcontainers import SortedList

from .. import clock
from ..ages import years_between
from . import names, notes, safeguard_cases
from .people import (
    DUPLICATE_VARIANTS,
    Child,
    Record,
    dob_for_age,
    duplicate_record,
    make_children,
    primary_record,
    school_for,
)
from .places import AGENCIES, AGENCY, EXTRA_PLACE_KINDS, PLACES, STREETS, AgreementPlan, Place, coordinates
from .themes import (
    CONCERN_AGENCIES,
    INCIDENT_AGENCIES,
    INCIDENT_SUMMARY,
    STRENGTH_AGENCIES,
    STRENGTH_KINDS,
    THEMES,
    Theme,
    Weights,
)

MONTHS = 18
MONTH_DAYS = 30
SPAN_DAYS = MONTHS * MONTH_DAYS
STALE_DAYS = 400  # the stale group's last link is this many days before today (policy windows are ~12 months)
# Concerns and strengths of young people outside the groups.
GENERIC = Theme(
    "background",
    "",
    (),
    (),
    (("substance_misuse", 1), ("school_exclusion", 1), ("online_harm", 1)),
    tuple((k, 1) for k in STRENGTH_KINDS),
    (10, 17),
    0.5,
    (1, 1),
    (),
    (),
    "all",
    0.15,
)
TABLE_ORDER = (
    "agencies",
    "agreements",
    "locations",
    "people",
    "incidents",
    "evidence",
    "strengths",
    "concerns",
)


@dataclass
class DemoBorough:
    """The demo partnership: monthly imports plus the ground truth of what was planted."""

    seed: int
    today: date
    batches: list[tuple[datetime, dict[str, list[dict[str, str]]]]]
    cases: dict[str, list[Any]]
    groups: dict[str, list[str]] = field(default_factory=dict)  # group label -> partnership person ids
    # Reasons a panel or practitioner might write, naming a left-out young person (issue 12): for tests.
    reasons: dict[str, str] = field(default_factory=dict)

    def tables(self) -> dict[str, list[dict[str, str]]]:
        """All batches' rows, table by table."""
        out: dict[str, list[dict[str, str]]] = {t: [] for t in TABLE_ORDER}
        for _, tables in self.batches:
            for name, rows in tables.items():
                out[name].extend(rows)
        return out

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables().items()}


@dataclass
class _Item:
    """An evidence row before ids are assigned (ids follow recorded date order)."""

    subject: str
    obj: str
    relation: str
    agency: str
    recorded: date
    observed: date
    grading: tuple[str, str]  # (code, scheme)
    source_ref: str
    recorder: str
    note: str
    polarity: str = "supports"
    supersedes: _Item | None = None
    retraction: bool = False
    tags: set[str] = field(default_factory=set)
    evidence_id: str = ""
    relayed_from: _Item | str | None = None  # the item (or source reference) this one repeats
    collection: str = "unspecified"


@dataclass
class _Fact:
    """A strength or concern before ids are assigned."""

    person: str
    kind: str
    agency: str
    recorded: date
    grading: tuple[str, str]
    note: str
    tags: set[str] = field(default_factory=set)


def generate(seed: int = 7, people: int = 150, today: date | None = None) -> DemoBorough:
    """The demo borough for `seed`, scaled to `people` young people, with 18 months up to `today`."""
    if people < 60:
        raise ValueError("the demo borough needs at least 60 young people to plant every hard case")
    return _Generator(seed, people, today or clock.today()).run()


class _FreePool:
    """The young people not yet in a peer group, by sex and by age band, in record order.

    Groups draw at random positions from these lists; sorted lists make each draw and removal O(log n)
    where rebuilding the lists for every group made a city quadratic. The draws are the same either way.
    """

    def __init__(self, children: list[Child], today: date, bands: set[tuple[int, int]]) -> None:
        self.children = children
        self.ages = [years_between(c.dob, today) for c in children]
        self.lists: dict[tuple[int, int] | None, dict[str, SortedList]] = {
            band: {sex: SortedList() for sex in ("male", "female")} for band in (*sorted(bands), None)
        }
        for i, c in enumerate(children):
            for band, by_sex in self.lists.items():
                if band is None or band[0] <= self.ages[i] <= band[1]:
                    by_sex[c.sex].add(i)

    def by_sex(self, band: tuple[int, int] | None) -> dict[str, SortedList]:
        """The free young people in an age band (None: any age), male and female, as positions."""
        return self.lists[band]

    def take(self, i: int) -> Child:
        """Remove the young person at position i from every list."""
        c = self.children[i]
        for by_sex in self.lists.values():
            by_sex[c.sex].discard(i)
        return c


class _Generator:
    def __init__(self, seed: int, people: int, today: date) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.n = people
        self.today = today
        self.start = today - timedelta(days=SPAN_DAYS)
        self.last = today - timedelta(days=1)
        self.plan = AgreementPlan(self.start, today)
        self.width = max(4, len(str(people)))
        self.items: list[_Item] = []
        self.strengths: list[_Fact] = []
        self.concerns: list[_Fact] = []
        self.cases: dict[str, list[Any]] = {}
        self.refs: dict[str, int] = {}
        self.recorders: dict[str, str] = {}
        self.cum_weights: dict[Weights, tuple[list[str], list[int]]] = {}
        self.withdrawn_rows: dict[int, list[_Item]] = {}  # id(item) -> rows that retract or correct it
        self.incidents: list[dict[str, Any]] = []
        self.duplicates: list[Record] = []
        self.protected: set[int] = set()  # ids of _Items that planted cases rely on
        self.relayed: list[_Item] = []  # issue 12: one tip and its copies (engine.demo.safeguard_cases)
        self.reasons: dict[str, str] = {}

    # ------------------------------------------------------------------ helpers
    def pick(self, weights: Weights) -> str:
        if weights not in self.cum_weights:
            values = [v for v, _ in weights]
            self.cum_weights[weights] = (values, list(accumulate(w for _, w in weights)))
        values, cum = self.cum_weights[weights]
        return self.rng.choices(values, cum_weights=cum, k=1)[0]

    def day_between(self, lo: date, hi: date) -> date:
        if hi <= lo:
            return lo
        return lo + timedelta(days=self.rng.randrange((hi - lo).days + 1))

    def window(self, *children: Child, lo: date | None = None, hi: date | None = None) -> tuple[date, date]:
        lo = lo or self.start
        hi = hi or self.last
        if any(c.stale for c in children):
            hi = min(hi, self.today - timedelta(days=STALE_DAYS))
            lo = min(lo, hi - timedelta(days=60))
        return max(lo, self.start), hi

    def new_ref(self, agency: str) -> str:
        self.refs[agency] = self.refs.get(agency, 0) + 1
        return f"{AGENCY[agency].ref_prefix}-{self.refs[agency] + 1000 * (1 + len(agency) % 3):05d}"

    def recorder(self, agency: str, source_ref: str | None) -> str:
        """Who wrote it: the same person for every item of one report."""
        if source_ref is None:
            return self.rng.choice(AGENCY[agency].recorders)
        if source_ref not in self.recorders:
            self.recorders[source_ref] = self.rng.choice(AGENCY[agency].recorders)
        return self.recorders[source_ref]

    def grade(self, agency: str, recorded: date, level: str = "normal") -> tuple[str, str]:
        info = AGENCY[agency]
        rng = self.rng
        if info.kind != "police":
            if level == "anonymous":
                return "anonymous", "record"
            if level == "strong":
                return rng.choice(("first_hand", "disclosure")), "record"
            if level == "weak":
                return "second_hand", "record"
            return self.pick(info.record_weights), "record"
        scheme = info.schemes[0]
        if len(info.schemes) > 1 and recorded >= self.plan.police_switch:
            scheme = info.schemes[1]
        if scheme == "3x5x2":
            rel = {"strong": "R", "weak": rng.choice("UN")}.get(level) or self.pick((("R", 5), ("U", 4), ("N", 1)))
            cred = {"strong": rng.choice("12"), "weak": rng.choice("345")}.get(level) or self.pick(
                (("1", 1), ("2", 4), ("3", 3), ("4", 2))
            )
            return rel + cred + self.pick((("P", 85), ("C", 15))), scheme
        if scheme == "5x5x5":
            rel = {"strong": rng.choice("AB"), "weak": rng.choice("DE")}.get(level) or self.pick(
                (("A", 1), ("B", 9), ("C", 6), ("D", 1), ("E", 3))
            )
            cred = {"strong": rng.choice("12"), "weak": rng.choice("45")}.get(level) or self.pick(
                (("1", 2), ("2", 8), ("3", 6), ("4", 3), ("5", 1))
            )
            return rel + cred + rng.choice(("", "1", "2", "3")), scheme
        rel = {"strong": rng.choice("AB"), "weak": rng.choice("DEF")}.get(level) or self.pick(
            (("A", 1), ("B", 9), ("C", 7), ("D", 1), ("F", 2))
        )
        cred = {"strong": rng.choice("12"), "weak": rng.choice("456")}.get(level) or self.pick(
            (("1", 2), ("2", 8), ("3", 7), ("4", 2), ("6", 1))
        )
        return rel + cred, scheme

    def item(
        self,
        subject: Child | str,
        obj: str,
        relation: str,
        agency: str,
        recorded: date,
        *,
        level: str = "normal",
        source_ref: str | None = None,
        note: str = "",
        observed: date | None = None,
        polarity: str = "supports",
    ) -> _Item:
        lag = self.rng.randrange(0, 21 if AGENCY[agency].kind == "police" else 8)
        it = _Item(
            subject=subject if isinstance(subject, str) else subject.pid,
            obj=obj,
            relation=relation,
            agency=agency,
            recorded=recorded,
            observed=observed or max(recorded - timedelta(days=lag), self.start - timedelta(days=30)),
            grading=self.grade(agency, recorded, level),
            source_ref=source_ref or self.new_ref(agency),
            recorder=self.recorder(agency, source_ref),
            note=note,
            polarity=polarity,
        )
        if agency == "VOL" and self.plan.vol_expired < recorded < self.plan.vol_renewed:
            it.tags.add("outside_agreement")
        self.items.append(it)
        return it

    def tie_note(self, relation: str, a: Child, b: Child) -> str:
        return notes.note(self.rng, notes.NOTES, relation, first=a.first, other=b.first, place="")

    def place_note(self, a: Child, place: Place) -> str:
        return notes.note(self.rng, notes.NOTES, "present_at", first=a.first, other="", place=place.name)

    # ------------------------------------------------------------------ the borough
    def run(self) -> DemoBorough:
        rng = self.rng
        children = make_children(rng, self.n, self.today)
        rng.shuffle(children)
        for i, c in enumerate(children, 1):
            c.pid = f"YP-{i:0{self.width}d}"
        self.children = children
        self.by_pid = {c.pid: c for c in children}
        self.build_places()
        self.build_groups()
        self.reserve_harm_pair()
        self.plant_families()
        self.reserve()
        self.assign_reviews()
        self.background_pool = self.background()  # fixed once the planted young people are reserved
        self.live_members = [c for c in self.members() if not c.stale]
        for g in range(len(self.group_members)):
            self.group_evidence(g)
        self.plant_harm_pair()
        self.plant_bystanders()
        self.plant_single_source()
        self.plant_corroborated()
        self.background_evidence()
        self.background_incidents()
        self.plant_outside_agreement()
        self.plant_refuted()
        self.plant_withdrawn()
        self.plant_victim_blaming()
        self.plant_duplicates()
        safeguard_cases.plant(self)
        self.collect_cases()
        return self.assemble()

    def build_places(self) -> None:
        self.places: list[Place] = list(PLACES)
        n_groups = self.n_groups()
        extra_needed = max(0, n_groups - len(THEMES)) * 2 + max(0, self.n - 150) // 60
        kinds = EXTRA_PLACE_KINDS
        used = {p.name for p in self.places}
        k = 0
        while extra_needed > 0:
            key, pattern, kind, concern = kinds[k % len(kinds)]
            street = STREETS[(k // len(kinds)) % len(STREETS)]
            nm = pattern.format(street=street, n=40 + k) + (
                f" ({k // (len(kinds) * len(STREETS)) + 1})" if k >= len(kinds) * len(STREETS) else ""
            )
            k += 1
            if nm in used:
                continue
            used.add(nm)
            self.places.append(
                Place(
                    key,
                    nm,
                    kind,
                    concern,
                    self.rng.choice(("Kestrel Vale", "Marlow", "Riverside", "St Anselm's", "Hollins Green")),
                )
            )
            extra_needed -= 1
        width = max(2, len(str(len(self.places))))
        self.place_ids = {p.name: f"LOC-{i:0{width}d}" for i, p in enumerate(self.places, 1)}
        self.place_by_key: dict[str, list[Place]] = {}
        for p in self.places:
            self.place_by_key.setdefault(p.key, []).append(p)

    def n_groups(self) -> int:
        return max(6, round(self.n * 0.55 / 9))

    def group_places(self, g: int) -> list[Place]:
        theme = THEMES[g % len(THEMES)]
        if g < len(THEMES):
            return [self.place_by_key[k][0] for k in theme.places]
        out = []
        for key in theme.places:
            options = self.place_by_key.get(key, [])
            out.append(options[(g // len(THEMES)) % len(options)] if options else self.place_by_key["park"][0])
        return out

    def build_groups(self) -> None:
        rng = self.rng
        n_groups = self.n_groups()
        free = _FreePool(self.children, self.today, {t.ages for t in THEMES})
        target = round(self.n * 0.55)
        self.group_members: list[list[Child]] = []
        self.group_theme: list[Theme] = []
        self.group_window: list[tuple[date, date]] = []
        for g in range(n_groups):
            theme = THEMES[g % len(THEMES)]
            lo_size, hi_size = theme.size
            size = min(rng.randint(lo_size, hi_size), max(4, round(1.3 * target / n_groups)))
            by_sex = free.by_sex(theme.ages)
            if sum(len(v) for v in by_sex.values()) < size:
                by_sex = free.by_sex(None)
            chosen: list[Child] = []
            for _ in range(size):
                want = "male" if rng.random() < theme.male_share else "female"
                options = by_sex[want] or by_sex["male"] or by_sex["female"]
                chosen.append(free.take(options[rng.randrange(len(options))]))
            for c in chosen:
                c.groups.append(g)
            if theme.window == "stale":
                for c in chosen:
                    c.stale = True
            self.group_members.append(chosen)
            self.group_theme.append(theme)
            self.group_window.append(self.theme_window(theme))
        # A few young people move between two groups (not the stale one).
        live = [g for g in range(n_groups) if self.group_theme[g].window != "stale"]
        for _ in range(1 + n_groups // 5):
            a, b = rng.sample(live, 2)
            c = rng.choice([m for m in self.group_members[a] if len(m.groups) == 1])
            c.groups.append(b)
            self.group_members[b].append(c)
        self.group_incidents = [
            [*t.incidents, *(rng.choice(t.incidents) for _ in range(rng.randint(0, 2) if t.incidents else 0))]
            for t in self.group_theme
        ]
        self.n_background_incidents = max(3, self.n // 50)
        expected = sum(len(kinds) for kinds in self.group_incidents) + self.n_background_incidents + 1
        self.inc_width = max(3, len(str(expected)))
        self.cases["bridges"] = sorted(c.pid for c in self.children if len(c.groups) > 1)
        self.member_list = [c for c in self.children if c.groups]

    def theme_window(self, theme: Theme) -> tuple[date, date]:
        if theme.window == "recent":
            return self.today - timedelta(days=240), self.last
        if theme.window == "stale":
            return self.start, self.today - timedelta(days=STALE_DAYS)
        return self.start, self.last

    def members(self) -> list[Child]:
        return self.member_list

    def background(self) -> list[Child]:
        return [c for c in self.children if not c.groups and not c.isolated]

    def free_background(self) -> list[Child]:
        return [c for c in self.background() if not c.planted]

    def free_members(self, *, live: bool = True) -> list[Child]:
        return [c for c in self.members() if not c.planted and not (live and c.stale)]

    # ------------------------------------------------------------------ families and look-alikes
    def plant_families(self) -> None:
        rng = self.rng
        self.siblings: list[tuple[Child, Child]] = []
        scale = max(1, self.n // 150)
        # Uninvolved siblings: a group member's brother or sister with no involvement of their own.
        # free_members() and free_background() are drawn from once per pair and each pair leaves both: kept
        # as lists and shrunk by the pair, not rebuilt (a city has thousands of pairs).
        # Sorted lists of positions index and shrink in O(log n) and draw exactly as the plain lists did.
        position = {id(c): i for i, c in enumerate(self.children)}
        children = self.children
        free_members = SortedList(position[id(c)] for c in self.free_members())
        free_background = SortedList(position[id(c)] for c in self.free_background())

        def pair(a: Child, b: Child) -> None:
            free_members.remove(position[id(a)])
            free_background.remove(position[id(b)])

        uninvolved = []
        for _ in range(2 * scale):
            a = children[rng.choice(free_members)]
            b = children[rng.choice(free_background)]
            self.make_sibling(a, b, gap=rng.choice((-3, -2, 2, 3)))
            b.isolated = True
            uninvolved.append(b)
            pair(a, b)
        uninvolved.sort(key=lambda c: c.pid)
        self.cases["uninvolved_sibling"] = [c.pid for c in uninvolved]
        # In the same order: the group member each uninvolved sibling is the brother or sister of.
        self.cases["sibling_of_uninvolved"] = [next(x.pid for x, y in self.siblings if y is c) for c in uninvolved]
        # Ordinary sibling pairs across the borough.
        unplanted = SortedList(i for i, c in enumerate(children) if not c.planted and not c.isolated)
        for _ in range(max(3, self.n // 25)):
            a, b = (children[i] for i in rng.sample(unplanted, 2))
            self.make_sibling(a, b, gap=rng.choice((-2, -1, 1, 2, 3)))
            for c in (a, b):
                unplanted.remove(position[id(c)])
                free_members.discard(position[id(c)])
                free_background.discard(position[id(c)])
        # Twins: one in a group, one not; cousins: same surname, similar first names, a few months apart.
        similar = []
        for _ in range(scale):
            a = children[rng.choice(free_members)]
            b = children[rng.choice(free_background)]
            self.make_sibling(a, b, gap=0)
            b.dob, b.school, b.area = a.dob, a.school, a.area
            similar.append([a.pid, b.pid])
            pair(a, b)
        for _ in range(scale):
            a = children[rng.choice(free_members)]
            b = children[rng.choice(free_background)]
            pair(a, b)
            b.surname, b.area, b.ethnicity, b.sex = a.surname, a.area, a.ethnicity, a.sex
            b.first = names.similar_first_name(rng, a.first, a.sex)
            b.dob = a.dob + timedelta(days=rng.choice((-1, 1)) * rng.randint(60, 300))
            if not 10 <= years_between(b.dob, self.today) <= 17:
                b.dob = (
                    a.dob - timedelta(days=rng.randint(60, 300))
                    if years_between(a.dob, self.today) < 17
                    else a.dob + timedelta(days=rng.randint(60, 300))
                )
            a.planted = b.planted = True
            similar.append([a.pid, b.pid])
        self.cases["similar_different_people"] = sorted(similar)
        self.unique_names()

    def make_sibling(self, a: Child, b: Child, gap: int) -> None:
        """Make b a sibling of a (same surname, home area, ethnicity); `gap` years apart, 0 for twins."""
        b.surname, b.area, b.ethnicity = a.surname, a.area, a.ethnicity
        if gap == 0:
            b.sex = self.rng.choice(("male", "female"))
            b.first = names.similar_first_name(self.rng, a.first, b.sex)
        else:
            age = min(17, max(10, years_between(a.dob, self.today) + gap))
            if age == years_between(a.dob, self.today):
                age = age + 1 if age < 17 else age - 1
            b.dob = dob_for_age(self.rng, age, self.today)
            b.school = school_for(self.rng, age, b.area)
        a.planted = b.planted = True
        self.siblings.append((a, b))

    def unique_names(self) -> None:
        """Re-draw the first name of any accidental namesake (planted look-alikes already differ).

        A bounded number of draws; in a city where they all collide, a middle name tells the namesakes apart.
        """
        seen: set[str] = set()
        for c in sorted(self.children, key=lambda c: not c.planted):
            for _ in range(names.PLAIN_TRIES):
                if c.name not in seen:
                    break
                c.first = names.first_name(self.rng, c.sex)
            if c.name in seen:
                c.middle = names.middle_name_for(self.rng, c.first, c.surname, c.sex, seen)
                if not c.middle:
                    raise ValueError(f"no unique name left for a namesake of {c.name}")
            seen.add(c.name)

    def assign_reviews(self) -> None:
        rng = self.rng
        for c in self.children:
            r = rng.random()
            if r < 0.12:
                c.review_by = self.today - timedelta(days=rng.randint(5, 150))
            elif r < 0.85:
                c.review_by = self.today + timedelta(days=rng.randint(7, 200))
        members = [c for c in self.members() if not c.stale]
        overdue = {c.pid for c in members if c.review_by and c.review_by < self.today}
        for c in rng.sample([m for m in members if m.pid not in overdue], max(0, 3 - len(overdue))):
            c.review_by = self.today - timedelta(days=rng.randint(5, 150))

    # ------------------------------------------------------------------ group evidence
    def group_evidence(self, g: int) -> None:
        rng = self.rng
        members = self.group_members[g]
        theme = self.group_theme[g]
        lo, hi = self.group_window[g]
        places = self.group_places(g)
        # Ties: each member knows two to four others; some ties rest on one item, some on several agencies.
        ties: set[tuple[str, str]] = set()
        for c in members:
            others = [m for m in members if m is not c]
            for o in rng.sample(others, min(len(others), rng.randint(2, 5))):
                ties.add((min(c.pid, o.pid), max(c.pid, o.pid)))
        for a_id, b_id in sorted(ties):
            a, b = self.by_pid[a_id], self.by_pid[b_id]
            relation = self.pick(theme.ties)
            r = rng.random()
            n_items = 1 if r < 0.35 else 2 if r < 0.75 else rng.randint(3, 4)
            agencies = self.relation_agencies(relation, theme)
            for k in range(n_items):
                agency = agencies[k % len(agencies)] if n_items > 2 else self.pick(theme.agencies)
                if relation in ("school_peer", "online_contact", "co_offending"):
                    agency = agencies[k % len(agencies)]
                w_lo, w_hi = self.window(a, b, lo=lo, hi=hi)
                self.item(
                    a,
                    b.pid,
                    relation,
                    agency,
                    self.day_between(w_lo, w_hi),
                    note=self.tie_note(relation, a, b),
                )
        # Sightings: one report names several members at one of the group's places.
        for _ in range(max(2, round(1.7 * len(members)))):
            place = places[0] if rng.random() < 0.5 else rng.choice(places)
            if place.kind == "school" and theme.key != "school":
                continue
            seen = rng.sample(members, min(len(members), rng.randint(2, 5)))
            agency = self.place_agency(place, theme)
            w_lo, w_hi = self.window(*seen, lo=lo, hi=hi)
            when = self.day_between(w_lo, w_hi)
            ref = self.new_ref(agency)
            for c in seen:
                self.item(
                    c,
                    self.place_ids[place.name],
                    "present_at",
                    agency,
                    when,
                    source_ref=ref,
                    note=self.place_note(c, place),
                    observed=when,
                )
        for kind in self.group_incidents[g]:
            self.incident(g, kind, places)
        for c in members:
            self.facts(c, theme, lo, hi)

    def relation_agencies(self, relation: str, theme: Theme) -> list[str]:
        by_relation = {
            "school_peer": ["EDU"],
            "online_contact": ["EDU", "CSC", "NPOL"],
            "co_offending": ["NPOL", "TPOL"] if any(a == "TPOL" for a, _ in theme.agencies) else ["NPOL"],
        }
        if relation in by_relation:
            return by_relation[relation]
        ranked = sorted(theme.agencies, key=lambda aw: (-aw[1], aw[0]))
        return [a for a, _ in ranked]

    def place_agency(self, place: Place, theme: Theme) -> str:
        if place.kind in ("station", "transport_route") and self.rng.random() < 0.6:
            return "TPOL"
        if place.kind == "school":
            return "EDU"
        if place.kind == "online_platform":
            return self.rng.choice(("EDU", "CSC", "NPOL"))
        street = [(a, w) for a, w in theme.agencies if a in ("YS", "VOL", "NPOL", "TPOL")]
        return self.pick(tuple(street) or theme.agencies)

    def incident(
        self,
        g: int | None,
        kind: str,
        places: list[Place],
        *,
        when: date | None = None,
        roles: dict[str, list[Child]] | None = None,
    ) -> str:
        """An incident at one of `places`, with evidence of each role from the agencies that record it."""
        rng = self.rng
        lo, hi = self.group_window[g] if g is not None else (self.start, self.last)
        if roles is None:
            assert g is not None
            roles = self.incident_roles(g, kind)
        everyone = [c for cs in roles.values() for c in cs]
        w_lo, w_hi = self.window(*everyone, lo=lo, hi=hi - timedelta(days=3))
        day = when or self.day_between(w_lo, w_hi)
        concern_places = [p for p in places if p.of_concern] or places
        if kind == "peer_on_peer_abuse":
            place = next((p for p in places if p.kind in ("school", "online_platform")), places[0])
        else:
            place = rng.choice(concern_places)
        inc_id = f"INC-{len(self.incidents) + 1:0{self.inc_width}d}"
        self.incidents.append(
            {
                "incident_id": inc_id,
                "date": day,
                "kind": kind,
                "location_id": self.place_ids[place.name],
                "summary": INCIDENT_SUMMARY[kind],
                "group": g,
            }
        )
        refs: dict[str, str] = {}
        for relation, people in roles.items():
            for c in people:
                n_items = rng.choice((1, 1, 2, 2, 3))
                agencies = rng.sample(
                    [a for a, _ in INCIDENT_AGENCIES[kind]], min(n_items, len(INCIDENT_AGENCIES[kind]))
                )
                for agency in agencies:
                    ref = refs.setdefault(agency, self.new_ref(agency))
                    recorded = min(self.last, day + timedelta(days=rng.randint(0, 10)))
                    self.item(
                        c,
                        inc_id,
                        relation,
                        agency,
                        recorded,
                        source_ref=ref,
                        observed=day,
                        note=notes.note(rng, notes.NOTES, relation, first=c.first, other="", place=place.name),
                    )
        return inc_id

    def incident_roles(self, g: int, kind: str) -> dict[str, list[Child]]:
        rng = self.rng
        members = [m for m in self.group_members[g] if m not in self.harm_pair]

        def some(lo: int, hi: int, exclude: list[Child]) -> list[Child]:
            pool = [m for m in members if m not in exclude]
            return rng.sample(pool, min(len(pool), rng.randint(lo, hi)))

        if kind == "criminal_exploitation":
            harmed = some(1, 3, [])
            return {"harmed": harmed, "present": some(0, 2, harmed)}
        if kind == "sexual_exploitation":
            harmed = some(1, 2, [])
            return {"harmed": harmed, "present": some(1, 2, harmed)}
        if kind == "going_missing":
            return {"present": some(1, 3, [])}
        if kind == "peer_on_peer_abuse":
            harmed = some(1, 1, [])
            harming = some(1, 1, harmed)
            return {"harmed": harmed, "harming": harming, "witness": some(0, 2, harmed + harming)}
        if kind == "serious_youth_violence":
            harming = some(1, 2, [])
            rival = rng.choice(self.live_members)
            harmed = [rival] if g not in rival.groups and rng.random() < 0.5 else some(1, 1, harming)
            return {"harmed": harmed, "harming": harming, "witness": some(1, 2, harming + harmed)}
        # robbery: older children rob younger ones; otherwise a group robs a young person it does not know
        if self.group_theme[g].key == "younger":
            older = [c for c in self.group_members[0] if not c.stale] if g != 0 else []
            harming = rng.sample(older, min(2, len(older))) if older else some(1, 1, [])
            return {"harmed": some(1, 1, harming), "harming": harming}
        victims = self.background_pool
        harming = some(2, 3, [])
        roles = {"harming": harming, "witness": some(0, 1, harming)}
        if victims:
            roles["harmed"] = [rng.choice(victims)]
        return roles

    def facts(self, c: Child, theme: Theme, lo: date, hi: date) -> None:
        rng = self.rng
        w_lo, w_hi = self.window(c, lo=lo, hi=hi)
        if rng.random() < theme.concern_rate:
            for kind in sorted({self.pick(theme.concerns) for _ in range(rng.randint(1, 3))}):
                self.fact(self.concerns, c, kind, CONCERN_AGENCIES[kind], w_lo, w_hi, notes.CONCERN_NOTES[kind])
        if rng.random() < 0.7:
            for kind in sorted({self.pick(theme.strengths) for _ in range(rng.randint(1, 2))}):
                self.fact(self.strengths, c, kind, STRENGTH_AGENCIES[kind], w_lo, w_hi, notes.STRENGTH_NOTES[kind])

    def fact(
        self,
        out: list[_Fact],
        c: Child,
        kind: str,
        agencies: Weights,
        lo: date,
        hi: date,
        texts: tuple[str, ...],
    ) -> _Fact:
        agency = self.pick(agencies)
        recorded = self.day_between(lo, hi)
        if agency == "VOL" and self.plan.vol_expired < recorded < self.plan.vol_renewed:
            agency = "YS"  # the trust stopped sharing while its agreement lapsed
        f = _Fact(c.pid, kind, agency, recorded, self.grade(agency, recorded), self.rng.choice(texts))
        out.append(f)
        return f

    # ------------------------------------------------------------------ planted cases
    def reserve_harm_pair(self) -> None:
        """Two members of the school group: one will be harmed by the other."""
        g = next(i for i, t in enumerate(self.group_theme) if t.key == "school")
        pool = [c for c in self.group_members[g] if len(c.groups) == 1]
        self.harm_pair = self.rng.sample(pool, 2)
        for c in self.harm_pair:
            c.planted = True

    def reserve(self) -> None:
        """Choose the planted cases' young people before any evidence is drawn, so nothing else links them."""
        rng = self.rng
        scale = max(1, self.n // 150)
        self.bystanders = rng.sample(self.free_background(), 3 * scale)
        for c in self.bystanders:
            c.isolated = c.planted = True
            c.agency = "CSC"
        self.single_source = rng.sample(self.free_background(), 2 * scale)
        for c in self.single_source:
            c.planted = True
        for c in self.single_source:
            c.isolated = True

    def plant_harm_pair(self) -> None:
        """A young person harmed in peer-on-peer abuse, in the same group as the one alleged to harm them."""
        rng = self.rng
        g = next(i for i, t in enumerate(self.group_theme) if t.key == "school")
        harmed, harming = self.harm_pair
        lo = self.today - timedelta(days=150)
        for k in range(2):  # they were friends before it happened
            when = self.day_between(self.start + timedelta(days=60), lo - timedelta(days=10))
            agency = ("EDU", "CSC")[k]
            it = self.item(
                harmed,
                harming.pid,
                "association",
                agency,
                when,
                level="strong",
                note=self.tie_note("association", harmed, harming),
            )
            self.protected.add(id(it))
        witnesses = rng.sample([c for c in self.group_members[g] if c not in (harmed, harming)], 2)
        day = self.day_between(lo, self.today - timedelta(days=40))
        places = self.group_places(g)
        inc = self.incident(
            g,
            "peer_on_peer_abuse",
            places,
            when=day,
            roles={"harmed": [harmed], "harming": [harming], "witness": witnesses},
        )
        # Make sure both roles are on record from more than one agency.
        for c, relation, agency in (
            (harmed, "harmed", "CSC"),
            (harmed, "harmed", "EDU"),
            (harming, "harming", "NPOL"),
            (harming, "harming", "EDU"),
        ):
            if not any(i.subject == c.pid and i.obj == inc and i.agency == agency for i in self.items):
                self.item(
                    c,
                    inc,
                    relation,
                    agency,
                    min(self.last, day + timedelta(days=rng.randint(1, 6))),
                    level="strong",
                    observed=day,
                    note=notes.note(rng, notes.NOTES, relation, first=c.first, other="", place=""),
                )
        for i in self.items:
            if i.obj == inc:
                self.protected.add(id(i))
        self.cases["harmed"] = [harmed.pid]
        self.cases["harming"] = [harming.pid]
        self.cases["harm_incident"] = [inc]

    def plant_bystanders(self) -> None:
        """Young people named once in an anonymous tip about an incident, and nowhere else."""
        rng = self.rng
        recent = [
            x
            for x in self.incidents
            if x["kind"] in ("serious_youth_violence", "robbery")
            and x["date"] >= self.today - timedelta(days=300)
            and x["group"] is not None
            and self.group_theme[x["group"]].window != "stale"
        ]
        target = rng.choice(recent or self.incidents)
        bystanders = self.bystanders
        ref = self.new_ref("CSC")
        when = min(self.last, target["date"] + timedelta(days=rng.randint(2, 9)))
        for c in bystanders:
            it = self.item(
                c,
                target["incident_id"],
                "present",
                "CSC",
                when,
                level="anonymous",
                source_ref=ref,
                observed=target["date"],
                note=notes.TIP_NOTE.format(first=c.first),
            )
            self.protected.add(id(it))
        self.cases["bystander_tip"] = sorted(c.pid for c in bystanders)
        self.cases["tip_incident"] = [target["incident_id"]]

    def plant_single_source(self) -> None:
        """Young people whose only links come from one police intelligence source, repeated."""
        rng = self.rng
        chosen = self.single_source
        place = self.place_by_key["stairwell"][0]
        for c in chosen:
            ref = self.new_ref("NPOL")
            first = self.day_between(self.today - timedelta(days=200), self.today - timedelta(days=90))
            for k in range(rng.randint(2, 3)):
                when = min(self.last, first + timedelta(days=20 * k + rng.randint(0, 9)))
                it = self.item(
                    c,
                    self.place_ids[place.name],
                    "present_at",
                    "NPOL",
                    when,
                    level="strong",
                    source_ref=ref,
                    note=self.place_note(c, place),
                )
                self.protected.add(id(it))
        self.cases["single_source"] = sorted(c.pid for c in chosen)

    def plant_corroborated(self) -> None:
        """Young people seen at the estate stairwell by three independent agencies."""
        rng = self.rng
        g = 0
        place = self.group_places(g)[0]
        loc = self.place_ids[place.name]
        chosen = rng.sample([c for c in self.group_members[g] if not c.planted and not c.stale], 3)
        for c in chosen:
            c.planted = True
            for agency in ("NPOL", "YS", "CSC"):
                when = self.day_between(self.today - timedelta(days=180), self.last)
                it = self.item(c, loc, "present_at", agency, when, level="strong", note=self.place_note(c, place))
                self.protected.add(id(it))
        self.cases["corroborated"] = sorted(c.pid for c in chosen)
        self.cases["corroborated_links"] = sorted(f"{c.pid}|{loc}|present_at" for c in chosen)

    def background_evidence(self) -> None:
        """Young people outside the groups: school peers, positive places, the odd link to a group member."""
        rng = self.rng
        by_school: dict[str, list[Child]] = {}
        for c in self.children:
            if c.school and not c.isolated:
                by_school.setdefault(c.school, []).append(c)
        positive = [
            p for p in self.places if not p.of_concern and p.kind in ("youth_club", "sports", "community", "park")
        ]
        for c in self.background():
            school = by_school.get(c.school, [])
            k = rng.randint(1, 2)
            picks = rng.sample(school, min(len(school), k + 1))
            for o in [m for m in picks if m is not c][:k]:
                w_lo, w_hi = self.window(c, o)
                self.item(
                    c,
                    o.pid,
                    "school_peer",
                    "EDU",
                    self.day_between(w_lo, w_hi),
                    note=self.tie_note("school_peer", c, o),
                )
            for place in rng.sample(positive, rng.randint(0, 2)):
                w_lo, w_hi = self.window(c)
                agency = rng.choice(("YS", "VOL")) if place.kind != "sports" else "YS"
                self.item(
                    c,
                    self.place_ids[place.name],
                    "present_at",
                    agency,
                    self.day_between(w_lo, w_hi),
                    note=self.place_note(c, place),
                )
            if rng.random() < 0.15:
                friend = rng.choice(self.live_members)
                w_lo, w_hi = self.window(c)
                self.item(
                    c,
                    friend.pid,
                    "association",
                    rng.choice(("EDU", "YS", "CSC")),
                    self.day_between(w_lo, w_hi),
                    level="weak",
                    note=self.tie_note("association", c, friend),
                )
            self.facts(c, GENERIC, self.start, self.last)
        for a, b in self.siblings:
            for agency in rng.sample(("CSC", "EDU"), rng.randint(1, 2)):
                w_lo, w_hi = self.window(a, b)
                it = self.item(
                    a,
                    b.pid,
                    "sibling",
                    agency,
                    self.day_between(w_lo, w_hi),
                    level="strong",
                    note=self.tie_note("sibling", a, b),
                )
                self.protected.add(id(it))

    def background_incidents(self) -> None:
        """Incidents involving young people outside the groups: a street robbery, a missing episode."""
        rng = self.rng
        concern = [p for p in self.places if p.of_concern and p.kind != "online_platform"]
        pool = [c for c in self.background() if not c.planted]  # incidents plant no one: the same every time
        for k in range(self.n_background_incidents):
            if k % 2 == 0:
                harmed, witness = rng.sample(pool, 2)
                self.incident(None, "robbery", [rng.choice(concern)], roles={"harmed": [harmed], "witness": [witness]})
            else:
                self.incident(None, "going_missing", [rng.choice(concern)], roles={"present": [rng.choice(pool)]})

    def plant_outside_agreement(self) -> None:
        """Riverside Youth Trust kept sharing after its agreement lapsed; those items lack an agreement."""
        rng = self.rng
        gap_lo = self.plan.vol_expired + timedelta(days=1)
        gap_hi = self.plan.vol_renewed - timedelta(days=1)
        g = next((i for i, t in enumerate(self.group_theme) if t.key == "underpass"), 0)
        members = [c for c in self.group_members[g] if not c.stale]
        place = self.group_places(g)[0]
        have = sum(1 for i in self.items if "outside_agreement" in i.tags)
        for c in rng.sample(members, min(len(members), max(0, 6 - have))):
            self.item(
                c,
                self.place_ids[place.name],
                "present_at",
                "VOL",
                self.day_between(gap_lo, gap_hi),
                note=self.place_note(c, place),
            )

    def claims(self) -> list[_Item]:
        """Ordinary supporting items of live group members that planted cases can build on."""
        stale = {c.pid for c in self.children if c.stale}
        return [
            i
            for i in self.items
            if id(i) not in self.protected
            and i.polarity == "supports"
            and i.subject not in stale
            and i.obj not in stale
            and not i.tags
            and i.recorded <= self.today - timedelta(days=60)
        ]

    def plant_refuted(self) -> None:
        rng = self.rng
        pool = [i for i in self.claims() if i.relation in ("present_at", "present", "association")]
        refuting = []
        for orig in rng.sample(pool, min(len(pool), 6 * max(1, self.n // 150))):
            agency, template = rng.choice([x for x in notes.REFUTE_NOTES[orig.relation] if x[0] != orig.agency])
            when = min(self.last, orig.recorded + timedelta(days=rng.randint(5, 50)))
            child = self.by_pid[orig.subject]
            other = self.by_pid.get(orig.obj)
            place = next((p for p in self.places if self.place_ids[p.name] == orig.obj), None)
            text = template.format(
                first=child.first, other=other.first if other else "", place=place.name if place else ""
            )
            it = self.item(
                orig.subject,
                orig.obj,
                orig.relation,
                agency,
                when,
                level="strong",
                polarity="refutes",
                observed=orig.observed,
                note=text,
            )
            it.tags.add("refutes")
            self.protected.update({id(it), id(orig)})
            refuting.append(it)
        self.refuting = refuting

    def plant_withdrawn(self) -> None:
        """Police items later retracted (wrong child) or regraded; new rows name the old by `supersedes`."""
        rng = self.rng
        pool = [i for i in self.claims() if i.agency in ("NPOL", "TPOL")]
        picks = rng.sample(pool, min(len(pool), 6 * max(1, self.n // 150)))
        self.retracted: list[_Item] = []
        self.corrected: list[_Item] = []
        for k, orig in enumerate(picks):
            when = min(self.last, orig.recorded + timedelta(days=rng.randint(7, 45)))
            retract = k % 3 != 2
            row = _Item(
                orig.subject,
                orig.obj,
                orig.relation,
                orig.agency,
                when,
                orig.observed,
                orig.grading if retract else self.grade(orig.agency, when, "weak"),
                orig.source_ref,
                orig.recorder,
                notes.RETRACT_NOTE if retract else notes.CORRECT_NOTE,
                supersedes=orig,
                retraction=retract,
            )
            self.items.append(row)
            self.withdrawn_rows.setdefault(id(orig), []).append(row)
            self.protected.update({id(row), id(orig)})
            (self.retracted if retract else self.corrected).append(orig)
        self.withdrawing = [i for i in self.items if i.supersedes is not None]

    def plant_victim_blaming(self) -> None:
        rng = self.rng
        concern_theme = {
            "estate": "criminal_exploitation",
            "route38": "criminal_exploitation",
            "underpass": "criminal_exploitation",
            "eastgate": "sexual_exploitation",
            "online": "sexual_exploitation",
            "younger": "missing_episodes",
        }
        pool = [
            i
            for i in self.claims()
            if i.relation in ("harmed", "present", "present_at", "association")
            and self.by_pid[i.subject].groups
            and self.group_theme[self.by_pid[i.subject].groups[0]].key in concern_theme
        ]
        for it in rng.sample(pool, min(len(pool), 8 * max(1, self.n // 150))):
            c = self.by_pid[it.subject]
            it.note = notes.victim_blaming(rng, concern_theme[self.group_theme[c.groups[0]].key], c.first, c.sex)
            it.tags.add("victim_blaming")
        facts = [
            f for f in self.concerns if f.kind in ("criminal_exploitation", "sexual_exploitation", "missing_episodes")
        ]
        for f in rng.sample(facts, min(len(facts), 4 * max(1, self.n // 150))):
            c = self.by_pid[f.person]
            f.note = notes.victim_blaming(rng, f.kind, c.first, c.sex)
            f.tags.add("victim_blaming")
        # "Sexually active" is only flagged for a child under 13, who cannot consent in law.
        young = [c for c in self.live_members if years_between(c.dob, self.today) < 13 and not c.planted]
        for c in rng.sample(young, min(len(young), max(1, self.n // 150))):
            f = self.fact(
                self.concerns,
                c,
                "sexual_exploitation",
                (("HLT", 1),),
                self.today - timedelta(days=150),
                self.last,
                (notes.UNDER_13_NOTE,),
            )
            f.note = f.note.format(first=c.first)
            f.tags.update({"victim_blaming", "under_13_sexual"})

    def plant_duplicates(self) -> None:
        """Some children are also on another agency's books under its own record id, keyed differently."""
        rng = self.rng
        n_dup = max(6, self.n // 15)
        candidates = [c for c in self.members() if not c.planted and not c.stale]
        rng.shuffle(candidates)
        record_numbers = rng.sample(range(10000, 99999), n_dup)
        pairs: list[list[str]] = []
        variants: list[str] = []
        about: dict[str, list[_Item]] = {}
        for it in self.items:
            about.setdefault(it.subject, []).append(it)
            if it.obj != it.subject:
                about.setdefault(it.obj, []).append(it)
        taken = {c.name for c in self.children}
        # Where each kind of search got to: a candidate once passed over stays planted or unfitting, so each
        # search resumes there instead of rescanning from the start (quadratic in a city).
        resume: dict[str, int] = {}

        def first_fit(key: str, fits: Callable[[Child], bool] | None) -> Child | None:
            i = resume.get(key, 0)
            while i < len(candidates) and (candidates[i].planted or not (fits is None or fits(candidates[i]))):
                i += 1
            resume[key] = i
            return candidates[i] if i < len(candidates) else None

        for k in range(min(n_dup, len(candidates))):
            variant = DUPLICATE_VARIANTS[k % len(DUPLICATE_VARIANTS)]
            fits = {
                "nickname": lambda c: c.first in names.NICKNAMES,
                "nickname_typo_area": lambda c: c.first in names.NICKNAMES,
                "transposed_dob": lambda c: names.transposed(c.dob) is not None,
            }.get(variant)
            if k == 0:  # the classic Jay / Jayden
                fits = lambda c: c.sex == "male" and f"Jayden {c.surname}" not in taken  # noqa: E731
            child = first_fit("Jayden" if k == 0 else variant, fits)
            if child is None:
                variant = "surname_typo"
                child = first_fit("any", None)
                assert child is not None  # k < len(candidates), and each step plants one
            elif k == 0:
                child.first = "Jayden"
            child.planted = True
            others = [a for a in ("NPOL", "TPOL", "HLT", "YS", "NPOL", "CSC") if a != child.agency]
            agency = others[k % len(others)]
            record = duplicate_record(rng, child, f"{agency}-{record_numbers[k]}", agency, variant)
            self.duplicates.append(record)
            pairs.append([child.pid, record.person_id])
            variants.append(f"{child.pid}~{record.person_id}: {variant}")
            moved = 0
            for it in about.get(child.pid, []):
                if id(it) in self.protected or it.agency != agency or it.supersedes is not None:
                    continue
                if rng.random() < 0.7:
                    self.redirect(it, child.pid, record.person_id)
                    moved += 1
            if moved == 0:
                g = child.groups[0]
                place = self.group_places(g)[0]
                w_lo, w_hi = self.window(child, lo=self.group_window[g][0], hi=self.group_window[g][1])
                self.item(
                    record.person_id,
                    self.place_ids[place.name],
                    "present_at",
                    agency,
                    self.day_between(w_lo, w_hi),
                    note=self.place_note(child, place),
                )
        self.cases["same_person_records"] = sorted(pairs)
        self.cases["same_person_variants"] = sorted(variants)

    def redirect(self, it: _Item, old: str, new: str) -> None:
        """Point an item (and any rows that withdraw it) at another record of the same child."""
        for row in [it, *self.withdrawn_rows.get(id(it), [])]:
            if row.subject == old:
                row.subject = new
            if row.obj == old:
                row.obj = new

    # ------------------------------------------------------------------ output
    def collect_cases(self) -> None:
        self.cases["under_13"] = sorted(c.pid for c in self.children if years_between(c.dob, self.today) < 13)
        self.cases["overdue_review"] = sorted(c.pid for c in self.children if c.review_by and c.review_by < self.today)
        self.cases["stale"] = sorted(c.pid for c in self.children if c.stale)

    def assemble(self) -> DemoBorough:
        self.items.sort(
            key=lambda i: (
                i.recorded,
                i.supersedes is not None,
                i.subject,
                i.obj,
                i.relation,
                i.agency,
                i.source_ref,
            )
        )
        width = max(5, len(str(len(self.items))))
        for n, it in enumerate(self.items, 1):
            it.evidence_id = f"EV-{n:0{width}d}"
        stale = {c.pid for c in self.children if c.stale}
        self.cases["stale_evidence"] = sorted(i.evidence_id for i in self.items if i.subject in stale or i.obj in stale)
        self.cases["refuted"] = sorted(i.evidence_id for i in self.refuting)
        refuted_keys = {(r.subject, r.obj, r.relation) for r in self.refuting}
        self.cases["refuted_claims"] = sorted(
            i.evidence_id
            for i in self.items
            if i.polarity == "supports" and (i.subject, i.obj, i.relation) in refuted_keys
        )
        self.cases["retracted"] = sorted(i.evidence_id for i in self.retracted)
        self.cases["corrected"] = sorted(i.evidence_id for i in self.corrected)
        self.cases["withdrawal_rows"] = sorted(i.evidence_id for i in self.withdrawing)
        self.cases["outside_agreement"] = sorted(i.evidence_id for i in self.items if "outside_agreement" in i.tags)
        self.cases["victim_blaming_notes"] = sorted(i.evidence_id for i in self.items if "victim_blaming" in i.tags)
        self.cases["relayed_items"] = [i.evidence_id for i in self.relayed]
        self.cases["name_variant_notes"] = sorted(i.evidence_id for i in self.items if "name_variant" in i.tags)
        self.strengths.sort(key=lambda f: (f.recorded, f.person, f.kind, f.agency))
        self.concerns.sort(key=lambda f: (f.recorded, f.person, f.kind, f.agency))
        fact_width = max(4, len(str(max(len(self.strengths), len(self.concerns)))))
        concern_ids = [f"CON-{n:0{fact_width}d}" for n in range(1, len(self.concerns) + 1)]
        self.cases["victim_blaming_concerns"] = sorted(
            cid for cid, f in zip(concern_ids, self.concerns, strict=True) if "victim_blaming" in f.tags
        )
        self.cases["under_13_sexually_active"] = sorted(
            cid for cid, f in zip(concern_ids, self.concerns, strict=True) if "under_13_sexual" in f.tags
        )

        batches: list[dict[str, list[dict[str, str]]]] = [{} for _ in range(MONTHS)]

        def batch_of(d: date) -> int:
            return min(MONTHS - 1, max(0, (d - self.start).days // MONTH_DAYS))

        def put(table: str, k: int, row: dict[str, str]) -> None:
            batches[k].setdefault(table, []).append(row)

        for a in AGENCIES:
            put("agencies", 0, {"agency_id": a.agency_id, "name": a.name, "kind": a.kind})
        for row in self.plan.rows():
            put("agreements", batch_of(date.fromisoformat(row["valid_from"])), row)
        for p in self.places:
            lat, lon = coordinates(self.rng, p.area)
            put(
                "locations",
                0,
                {
                    "location_id": self.place_ids[p.name],
                    "name": p.name,
                    "kind": p.kind,
                    "of_concern": "true" if p.of_concern else "false",
                    "area": p.area if p.area != "online" else "",
                    "latitude": lat,
                    "longitude": lon,
                },
            )
        first_seen: dict[str, int] = {}

        def seen(key: str, k: int) -> None:
            first_seen[key] = min(first_seen.get(key, k), k)

        for it in self.items:
            k = batch_of(it.recorded)
            seen(it.subject, k)
            seen(it.obj, k)
            put(
                "evidence",
                k,
                {
                    "evidence_id": it.evidence_id,
                    "subject_id": it.subject,
                    "object_id": it.obj,
                    "relation": it.relation,
                    "polarity": it.polarity,
                    "agency": it.agency,
                    "grading": it.grading[0],
                    "grading_scheme": it.grading[1],
                    "observed_on": it.observed.isoformat(),
                    "recorded_on": it.recorded.isoformat(),
                    "agreement_id": (
                        self.plan.agreement_for(it.agency, it.supersedes.recorded)
                        if it.supersedes
                        else self.plan.agreement_for(it.agency, it.recorded)
                    ),
                    "source_ref": it.source_ref,
                    "recorder": it.recorder,
                    "note": it.note,
                    "supersedes": it.supersedes.evidence_id if it.supersedes else "",
                    "retraction": "true" if it.retraction else "false",
                    "relayed_from": (
                        it.relayed_from.evidence_id if isinstance(it.relayed_from, _Item) else it.relayed_from or ""
                    ),
                    "collection_method": it.collection,
                },
            )
        for table, prefix, facts in (
            ("strengths", "STR", self.strengths),
            ("concerns", "CON", self.concerns),
        ):
            for n, f in enumerate(facts, 1):
                k = batch_of(f.recorded)
                seen(f.person, k)
                put(
                    table,
                    k,
                    {
                        f"{table[:-1]}_id": f"{prefix}-{n:0{fact_width}d}",
                        "person_id": f.person,
                        "kind": f.kind,
                        "agency": f.agency,
                        "grading": f.grading[0],
                        "grading_scheme": f.grading[1],
                        "recorded_on": f.recorded.isoformat(),
                        "agreement_id": self.plan.agreement_for(f.agency, f.recorded),
                        "note": f.note,
                    },
                )
        for x in self.incidents:
            k = min(batch_of(x["date"]), first_seen.get(x["incident_id"], MONTHS - 1))
            put(
                "incidents",
                k,
                {
                    "incident_id": x["incident_id"],
                    "date": x["date"].isoformat(),
                    "kind": x["kind"],
                    "location_id": x["location_id"],
                    "summary": x["summary"],
                },
            )
        records = [primary_record(c) for c in self.children] + self.duplicates
        for r in records:
            put("people", first_seen.get(r.person_id, 0), r.row())
        keys = {
            "agencies": "agency_id",
            "agreements": "agreement_id",
            "locations": "location_id",
            "people": "person_id",
            "incidents": "incident_id",
            "evidence": "evidence_id",
            "strengths": "strength_id",
            "concerns": "concern_id",
        }
        out: list[tuple[datetime, dict[str, list[dict[str, str]]]]] = []
        for k, tables in enumerate(batches):
            ordered = {t: sorted(tables[t], key=itemgetter(keys[t])) for t in TABLE_ORDER if tables.get(t)}
            boundary = self.start + timedelta(days=MONTH_DAYS * (k + 1))
            out.append((datetime.combine(boundary, time(0, 0), tzinfo=UTC), ordered))
        self.cases = {k: self.cases[k] for k in sorted(self.cases)}
        groups = {
            f"G{g + 1:02d} {self.group_theme[g].label}": sorted(c.pid for c in self.group_members[g])
            for g in range(len(self.group_members))
        }
        return DemoBorough(
            seed=self.seed, today=self.today, batches=out, cases=self.cases, groups=groups, reasons=dict(self.reasons)
        )
