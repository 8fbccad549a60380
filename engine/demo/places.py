"""The invented borough of Northbridge: wards, schools, places, agencies and sharing agreements.

All names are fictional. Coordinates are arbitrary points used only to draw the map.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

AREAS: tuple[str, ...] = (
    "Kestrel Vale",
    "Marlow",
    "Northbridge Central",
    "St Anselm's",
    "Riverside",
    "Hollins Green",
)

SECONDARY: tuple[str, ...] = ("Marlow Road Academy", "St Anselm's Catholic High", "Northbridge Park School")
PRIMARY = "Hollins Green Primary"
PRU = "The Bridge Pupil Referral Unit"
COLLEGE = "Riverside College"


@dataclass(frozen=True)
class Place:
    key: str  # what kind of context the place is, used by the group themes
    name: str
    kind: str
    of_concern: bool
    area: str


# The borough's places; `key` ties a place to the group themes that use it.
PLACES: tuple[Place, ...] = (
    Place("park", "Marlow Road Park", "park", False, "Marlow"),
    Place("stairwell", "Kestrel House stairwell, Kestrel Vale estate", "estate", True, "Kestrel Vale"),
    Place("chicken_shop", "Peri Palace chicken shop, Station Parade", "shop", True, "Northbridge Central"),
    Place("station", "Northbridge Station", "station", True, "Northbridge Central"),
    Place("bus_station", "Northbridge Bus Station", "station", True, "Northbridge Central"),
    Place("bus_route", "Route 38 bus (Kestrel Vale to Eastgate)", "transport_route", True, "Kestrel Vale"),
    Place("towpath", "Riverside towpath by Hollins Lock", "street", True, "Riverside"),
    Place("shopping_centre", "Eastgate Shopping Centre", "shopping_centre", True, "Northbridge Central"),
    Place("chat_app", "Vybe group chats", "online_platform", True, "online"),
    Place("game_server", "Arcfire game server", "online_platform", False, "online"),
    Place("school:Marlow Road Academy", "Marlow Road Academy", "school", False, "Marlow"),
    Place("school:St Anselm's Catholic High", "St Anselm's Catholic High", "school", False, "St Anselm's"),
    Place("school:Northbridge Park School", "Northbridge Park School", "school", False, "Northbridge Central"),
    Place("school:Hollins Green Primary", "Hollins Green Primary", "school", False, "Hollins Green"),
    Place(
        "school:The Bridge Pupil Referral Unit",
        "The Bridge Pupil Referral Unit",
        "school",
        False,
        "Riverside",
    ),
    Place("school:Riverside College", "Riverside College", "school", False, "Riverside"),
    Place("youth_club", "Kestrel Vale Youth Centre", "youth_club", False, "Kestrel Vale"),
    Place("sports", "Northbridge Leisure Centre 3G pitches", "sports", False, "Marlow"),
    Place("off_licence", "Mill Lane off-licence", "shop", True, "Riverside"),
    Place("underpass", "Canal Street underpass", "street", True, "St Anselm's"),
    Place("faith_hall", "St Anselm's community hall", "community", False, "St Anselm's"),
    Place("rec_ground", "Hollins Green recreation ground", "park", False, "Hollins Green"),
)

# Extra places for bigger partnerships: (key, name pattern, kind, of concern).
EXTRA_PLACE_KINDS: tuple[tuple[str, str, str, bool], ...] = (
    ("park", "{street} Park", "park", False),
    ("stairwell", "{street} House stairwell", "estate", True),
    ("chicken_shop", "{street} chicken shop", "shop", True),
    ("station", "{street} Station", "station", True),
    ("bus_route", "Route {n} bus", "transport_route", True),
    ("youth_club", "{street} Youth Club", "youth_club", False),
    ("underpass", "{street} underpass", "street", True),
    ("sports", "{street} sports ground", "sports", False),
)
STREETS: tuple[str, ...] = (
    "Albion",
    "Beacon",
    "Cedar",
    "Dovecote",
    "Elm Grove",
    "Foundry",
    "Gasworks",
    "Harbour",
    "Ivy",
    "Juniper",
    "Kingfisher",
    "Larch",
    "Meadow",
    "Nightingale",
    "Orchard",
    "Pelham",
    "Quarry",
    "Rowan",
    "Sandpiper",
    "Tannery",
    "Union",
    "Vicarage",
    "Willow",
    "Yew Tree",
    "Ashdown",
    "Brook",
    "Chapel",
)

BASE_LAT, BASE_LON = 52.4862, -1.8904
AREA_OFFSET: dict[str, tuple[float, float]] = {
    "Kestrel Vale": (0.012, -0.018),
    "Marlow": (-0.008, -0.010),
    "Northbridge Central": (0.0, 0.0),
    "St Anselm's": (-0.010, 0.012),
    "Riverside": (0.006, 0.016),
    "Hollins Green": (-0.016, -0.002),
}


def coordinates(rng: random.Random, area: str) -> tuple[str, str]:
    if area not in AREA_OFFSET:
        return "", ""
    dlat, dlon = AREA_OFFSET[area]
    lat = BASE_LAT + dlat + rng.uniform(-0.004, 0.004)
    lon = BASE_LON + dlon + rng.uniform(-0.004, 0.004)
    return f"{lat:.5f}", f"{lon:.5f}"


@dataclass(frozen=True)
class AgencyInfo:
    agency_id: str
    name: str
    kind: str
    schemes: tuple[str, ...]  # grading schemes in use, oldest first (police moved from 5x5x5 to 3x5x2)
    record_weights: tuple[tuple[str, int], ...]  # non-police record types and how often each is used
    recorders: tuple[str, ...]
    ref_prefix: str


AGENCIES: tuple[AgencyInfo, ...] = (
    AgencyInfo(
        "NPOL",
        "Northbridge Police Child Exploitation Team",
        "police",
        ("5x5x5", "3x5x2"),
        (),
        ("DC 4471 R. Okoro", "PC 2290 L. Fenwick", "DS 118 H. Qureshi"),
        "NPOL-INT",
    ),
    AgencyInfo(
        "TPOL",
        "Transport Policing Unit (rail and bus)",
        "police",
        ("admiralty",),
        (),
        ("PC 7712 G. Byrne", "PCSO 5531 A. Nyarko"),
        "TPOL-OCC",
    ),
    AgencyInfo(
        "CSC",
        "Northbridge Children's Social Care",
        "social_care",
        ("record",),
        (("first_hand", 40), ("disclosure", 25), ("second_hand", 35)),
        ("SW A. Lindqvist", "SW J. Mbeki", "SW C. O'Neill", "TM R. Sato"),
        "CSC-CASE",
    ),
    AgencyInfo(
        "EDU",
        "Northbridge Schools Safeguarding Leads",
        "school",
        ("record",),
        (("first_hand", 60), ("disclosure", 25), ("second_hand", 15)),
        ("DSL M. Haddad", "DSL P. Greenwood", "DDSL K. Adebayo", "DSL F. Moreau"),
        "EDU-CPOMS",
    ),
    AgencyInfo(
        "YS",
        "Northbridge Youth Service detached team",
        "youth_work",
        ("record",),
        (("first_hand", 70), ("disclosure", 15), ("second_hand", 15)),
        ("YW D. Achebe", "YW S. Kowalczyk", "YW T. Brennan"),
        "YS-LOG",
    ),
    AgencyInfo(
        "HLT",
        "Northbridge School Nursing and Sexual Health",
        "health",
        ("record",),
        (("disclosure", 60), ("first_hand", 40)),
        ("SN E. Varga", "CNS B. Olatunji"),
        "HLT-NOTE",
    ),
    AgencyInfo(
        "VOL",
        "Riverside Youth Trust",
        "voluntary",
        ("record",),
        (("first_hand", 50), ("second_hand", 30), ("disclosure", 20)),
        ("Mentor I. Castillo", "Mentor N. Hale"),
        "RYT-REF",
    ),
)
AGENCY: dict[str, AgencyInfo] = {a.agency_id: a for a in AGENCIES}

LAWFUL_PUBLIC_TASK = (
    "UK GDPR Art 6(1)(e) public task; Art 9(2)(g) substantial public interest; "
    "DPA 2018 Sch 1 para 18 safeguarding of children and individuals at risk"
)


@dataclass(frozen=True)
class AgreementPlan:
    """The partnership's sharing agreements, with the dates that make the planted agreement cases."""

    start: date  # first day of the 18-month window
    today: date

    @property
    def police_switch(self) -> date:
        """When the police team moved from 5x5x5 to 3x5x2 grading."""
        return self.start + timedelta(days=240)

    @property
    def vol_expired(self) -> date:
        """Riverside Youth Trust's agreement ran out on this day ..."""
        return self.today - timedelta(days=150)

    @property
    def vol_renewed(self) -> date:
        """... and was renewed from this day; items recorded in between are outside any agreement."""
        return self.today - timedelta(days=45)

    def agreement_for(self, agency: str, recorded: date) -> str:
        if agency == "TPOL":
            return "AGR-02"
        if agency == "VOL":
            return "AGR-04" if recorded >= self.vol_renewed else "AGR-03"
        return "AGR-01"

    def rows(self) -> list[dict[str, str]]:
        iso = date.isoformat
        return [
            {
                "agreement_id": "AGR-01",
                "agencies": "NPOL;TPOL;CSC;EDU;YS;HLT",
                "purpose": "Responding to extra-familial harm (MACE panel and peer-group mapping)",
                "lawful_basis": LAWFUL_PUBLIC_TASK,
                "valid_from": iso(self.start - timedelta(days=200)),
                "valid_to": "",
                "retention_days": "2190",
                "dpia_ref": "DPIA-NSCP-2024-07",
                "special_category": "true",
                "dpo_consulted_on": iso(self.start - timedelta(days=230)),
            },
            {
                "agreement_id": "AGR-02",
                "agencies": "TPOL;NPOL;CSC",
                "purpose": "Safeguarding young people on the rail and bus network",
                "lawful_basis": "UK GDPR Art 6(1)(e) public task; DPA 2018 Sch 1 para 18 safeguarding of "
                "children and individuals at risk; DPA 2018 Part 3 (law enforcement processing)",
                "valid_from": iso(self.start - timedelta(days=90)),
                "valid_to": "",
                "retention_days": "1095",
                "dpia_ref": "",
                "special_category": "true",
                "dpo_consulted_on": "",  # planted gap: the DPO was never consulted
            },
            {
                "agreement_id": "AGR-03",
                "agencies": "VOL;CSC;YS",
                "purpose": "Detached youth work referrals and joint outreach in Riverside",
                "lawful_basis": LAWFUL_PUBLIC_TASK,
                "valid_from": iso(self.start - timedelta(days=400)),
                "valid_to": iso(self.vol_expired),
                "retention_days": "730",
                "dpia_ref": "DPIA-RYT-2023-02",
                "special_category": "false",
                "dpo_consulted_on": iso(self.start - timedelta(days=420)),
            },
            {
                "agreement_id": "AGR-04",
                "agencies": "VOL;CSC;YS",
                "purpose": "Detached youth work referrals and joint outreach in Riverside (renewed)",
                "lawful_basis": LAWFUL_PUBLIC_TASK,
                "valid_from": iso(self.vol_renewed),
                "valid_to": "",
                "retention_days": "730",
                "dpia_ref": "DPIA-RYT-2025-01",
                "special_category": "false",
                "dpo_consulted_on": iso(self.vol_renewed - timedelta(days=20)),
            },
            {
                "agreement_id": "AGR-05",
                "agencies": "HLT;CSC",
                "purpose": "Sexual health and school nursing safeguarding liaison",
                "lawful_basis": "UK GDPR Art 6(1)(e) public task; Art 9(2)(h) health or social care; "
                "DPA 2018 Sch 1 para 18 safeguarding of children and individuals at risk",
                "valid_from": iso(self.start - timedelta(days=300)),
                "valid_to": "",
                "retention_days": "2920",
                "dpia_ref": "DPIA-HLT-2024-11",
                "special_category": "true",
                "dpo_consulted_on": iso(self.start - timedelta(days=320)),
            },
        ]
