"""The demo borough's issue-12 cases: evidence that is messy or hostile in the ways the Gangs Matrix was.

Planted after every other case, with their own random stream, so the rest of the borough (and its ids up to
the new rows) is drawn exactly as before:

* `exploited_harming`: a young person with a concern of county lines, recorded as harming in a robbery
  (`exploited_incident`) by two agencies together with two others of their group (`exploited_with`);
* `relayed_tip`: one police tip about a young person at a place of concern, repeated by three other agencies
  ("police told us ..."): by the police reference, by the first copy's id, and by a chain (`relayed_items`);
* `presence_only`: young people seen at a place of concern by two agencies, with no incident and no concern;
* `sibling_recorded_as_associate`: an uninvolved sibling whom a school also records as an "associate" of
  their brother or sister in a group;
* `hotel_present`: a young person recorded only as present at a hotel with adults (`hotel_incident`);
* `left_out_named` / `name_variant_notes`: notes about young people on the map that mention a young person
  who is not on the map (the anonymous-tip bystander) in the spellings people write: "SURNAME, First", lower
  case, a hyphen or extra spaces between the parts, the first name alone; `DemoBorough.reasons` holds a policy
  and a decision reason written the same way, for tests of every output.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from .people import Child

# The builder is engine.demo.borough's generator, which imports this module: typed loosely to keep the
# import one-way (borough -> safeguard_cases).
_Builder = Any

NEUTRAL_PRESENT = "{first} was seen at {place} on several evenings by staff; no incident was recorded."


def plant(b: _Builder) -> None:
    """Plant every issue-12 case on the builder (its own random stream; the builder's is left untouched)."""
    saved = b.rng
    b.rng = random.Random(f"{b.seed}-issue-12")
    try:
        _exploited_harming(b)
        _relayed_tip(b)
        _presence_only(b)
        _sibling_as_associate(b)
        _hotel_present(b)
        _name_variants(b)
    finally:
        b.rng = saved


def _unplanted(b: _Builder, children: list[Child]) -> list[Child]:
    return [c for c in children if not c.planted and not c.isolated and not c.stale]


def _live_group(b: _Builder, key: str) -> int:
    return next(i for i, t in enumerate(b.group_theme) if t.key == key)


def _exploited_harming(b: _Builder) -> None:
    g = _live_group(b, "estate")
    pool = _unplanted(b, b.group_members[g])
    if len(pool) < 3:  # a small borough: too few free members in the estate group; borrow from the others
        spare = [c for i, m in enumerate(b.group_members) if i != g for c in _unplanted(b, m)]
        pool = pool + spare[: 3 - len(pool)]
    child, *others = b.rng.sample(pool, 3)
    for c in (child, *others):
        c.planted = True
    day = b.today - timedelta(days=60)
    place = next(p for p in b.group_places(g) if p.of_concern)
    inc = f"INC-{len(b.incidents) + 1:0{b.inc_width}d}"
    b.incidents.append(
        {
            "incident_id": inc,
            "date": day,
            "kind": "robbery",
            "location_id": b.place_ids[place.name],
            "summary": "A phone and cash taken from a younger boy near the stairwell by three young people.",
            "group": g,
        }
    )
    ref = b.new_ref("NPOL")
    for c in (child, *others):
        it = b.item(c, inc, "harming", "NPOL", day + timedelta(days=2), level="strong", source_ref=ref, observed=day)
        it.note = f"{c.first} named by the victim as one of those who took his phone."
        b.protected.add(id(it))
    it = b.item(child, inc, "harming", "EDU", day + timedelta(days=5), level="strong", observed=day)
    it.note = f"{child.first} told a teacher they had been made to take part and owed money to older boys."
    b.protected.add(id(it))
    f = b.fact(
        b.concerns,
        child,
        "county_lines",
        (("CSC", 1),),
        b.today - timedelta(days=120),
        b.today - timedelta(days=90),
        ("",),
    )
    f.note = f"{child.first} found in another town with drugs and cash; NRM referral made."
    b.cases["exploited_harming"] = [child.pid]
    b.cases["exploited_incident"] = [inc]
    b.cases["exploited_with"] = sorted(c.pid for c in others)


def _relayed_tip(b: _Builder) -> None:
    child = b.rng.choice(_unplanted(b, b.background_pool))
    child.planted = True
    place = next(p for p in b.places if p.of_concern and p.kind != "online_platform")
    loc = b.place_ids[place.name]
    day = b.today - timedelta(days=45)
    ref = b.new_ref("NPOL")
    first = b.item(child, loc, "present_at", "NPOL", day, level="strong", source_ref=ref, observed=day)
    first.note = f"Information that {child.first} has been at {place.name} late at night."
    copies: list[Any] = [first]
    for k, agency in enumerate(("CSC", "EDU", "YS")):
        it = b.item(child, loc, "present_at", agency, day + timedelta(days=3 + k), level="strong", observed=day)
        it.note = f"Police told us {child.first} has been at {place.name} late at night."
        # the three ways a copy says where it came from: the police reference, the copy it read, a chain
        it.relayed_from = ref if k == 0 else first if k == 1 else copies[-1]
        copies.append(it)
    for it in copies:
        b.protected.add(id(it))
    b.relayed = copies
    b.cases["relayed_tip"] = [child.pid]
    b.cases["relayed_place"] = [loc]


def _presence_only(b: _Builder) -> None:
    busy = {i.subject for i in b.items if i.relation in ("harmed", "harming", "witness", "present")}
    busy |= {f.person for f in b.concerns}
    pool = [c for c in _unplanted(b, b.background_pool) if c.pid not in busy]
    chosen = b.rng.sample(pool, min(2, len(pool)))
    place = [p for p in b.places if p.of_concern and p.kind != "online_platform"][-1]
    loc = b.place_ids[place.name]
    for c in chosen:
        c.planted = True
        for agency in ("YS", "TPOL"):
            day = b.today - timedelta(days=b.rng.randint(20, 80))
            it = b.item(c, loc, "present_at", agency, day, level="strong", observed=day)
            it.note = NEUTRAL_PRESENT.format(first=c.first, place=place.name)
            b.protected.add(id(it))
    b.cases["presence_only"] = sorted(c.pid for c in chosen)
    b.cases["presence_place"] = [loc]


def _sibling_as_associate(b: _Builder) -> None:
    pairs = [(a, s) for a, s in b.siblings if s.pid in b.cases.get("uninvolved_sibling", [])]
    member, sibling = pairs[0]
    day = b.today - timedelta(days=30)
    it = b.item(sibling, member.pid, "association", "EDU", day, level="strong", observed=day)
    it.note = f"{sibling.first} waits for {member.first} after school most days."
    b.protected.add(id(it))
    b.cases["sibling_recorded_as_associate"] = [sibling.pid]


def _hotel_present(b: _Builder) -> None:
    g = _live_group(b, "eastgate")
    pool = _unplanted(b, b.group_members[g]) or [
        c for i, m in enumerate(b.group_members) if i != g for c in _unplanted(b, m)
    ]  # a small borough may have no free member left in the group: borrow one
    child = b.rng.choice(pool)
    child.planted = True
    day = b.today - timedelta(days=35)
    place = b.group_places(g)[0]
    inc = f"INC-{len(b.incidents) + 1:0{b.inc_width}d}"
    b.incidents.append(
        {
            "incident_id": inc,
            "date": day,
            "kind": "hotel_with_adults",
            "location_id": b.place_ids[place.name],
            "summary": "Police called to a hotel room where adult men were with girls aged 14 and 15.",
            "group": g,
        }
    )
    ref = b.new_ref("NPOL")
    for agency in ("NPOL", "CSC"):
        it = b.item(
            child,
            inc,
            "present",
            agency,
            day + timedelta(days=1),
            level="strong",
            observed=day,
            source_ref=ref if agency == "NPOL" else None,
        )
        it.note = f"{child.first} was in the room when officers arrived."
        b.protected.add(id(it))
    b.cases["hotel_present"] = [child.pid]
    b.cases["hotel_incident"] = [inc]


def variants(first: str, surname: str) -> list[str]:
    """How practitioners write one young person's name."""
    return [
        f"{surname.upper()}, {first}",
        f"{first.lower()} {surname.lower()}",
        f"{first}-{surname}",
        f"{first}   {surname}",
        first,
    ]


def _name_variants(b: _Builder) -> None:
    named = b.by_pid[sorted(b.cases["bystander_tip"])[0]]
    shown = b.by_pid[b.cases["exploited_with"][0]]
    spellings = variants(named.first, named.surname)
    for k, spelling in enumerate(spellings):
        day = b.today - timedelta(days=20 + k)
        it = b.item(shown, b.cases["exploited_incident"][0], "harming", "YS", day, level="weak", observed=day)
        it.note = f"{shown.first} said they were with {spelling} that evening, not with the others."
        it.tags.add("name_variant")
        b.protected.add(id(it))
    b.cases["left_out_named"] = [named.pid]
    b.reasons = {
        "policy": f"Panel 12 March: raise the threshold; {spellings[0]} should not be on the map",
        "decision": f"Rejected: {spellings[1]} and {spellings[4]} would be in the room",
    }
