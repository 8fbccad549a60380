"""The kinds of peer group the demo borough contains, each tied to its places, incidents and agencies."""

from __future__ import annotations

from dataclasses import dataclass

Weights = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    places: tuple[str, ...]  # place keys (engine.demo.places.PLACES), the group's usual places first
    incidents: tuple[str, ...]  # incident kinds, one incident each
    concerns: Weights
    strengths: Weights
    ages: tuple[int, int]  # age band at the demo's today
    male_share: float
    size: tuple[int, int]
    ties: Weights  # person-person relations between members
    agencies: Weights  # who records what about this group
    window: str  # "all" (18 months), "recent" (last 8 months) or "stale" (ended over a year ago)
    concern_rate: float  # chance a member has at least one concern recorded


# The first six are in every borough (they carry the planted cases); bigger boroughs cycle through all nine.
THEMES: tuple[Theme, ...] = (
    Theme(
        "estate",
        "Kestrel Vale estate group",
        ("stairwell", "chicken_shop", "station", "bus_route"),
        (
            "criminal_exploitation",
            "criminal_exploitation",
            "going_missing",
            "going_missing",
            "serious_youth_violence",
            "robbery",
        ),
        (
            ("criminal_exploitation", 5),
            ("missing_episodes", 3),
            ("substance_misuse", 2),
            ("school_exclusion", 2),
        ),
        (("trusted_adult", 2), ("sports_club", 1), ("employment_training", 1)),
        (13, 17),
        0.85,
        (8, 12),
        (("association", 6), ("co_offending", 2)),
        (("NPOL", 4), ("TPOL", 2), ("CSC", 3), ("YS", 2), ("EDU", 1)),
        "all",
        0.85,
    ),
    Theme(
        "eastgate",
        "Eastgate shopping centre group",
        ("shopping_centre", "bus_station", "chat_app", "chicken_shop"),
        ("sexual_exploitation", "sexual_exploitation", "going_missing", "going_missing"),
        (("sexual_exploitation", 5), ("missing_episodes", 3), ("online_harm", 2), ("substance_misuse", 1)),
        (("trusted_adult", 2), ("engaged_in_education", 2), ("faith_group", 1)),
        (13, 16),
        0.25,
        (6, 9),
        (("association", 6), ("online_contact", 3)),
        (("CSC", 4), ("HLT", 3), ("NPOL", 2), ("EDU", 2), ("YS", 1)),
        "all",
        0.8,
    ),
    Theme(
        "school",
        "Marlow Road Academy Year 10 group",
        ("school:Marlow Road Academy", "park", "chat_app"),
        ("peer_on_peer_abuse", "peer_on_peer_abuse"),
        (("online_harm", 3), ("school_exclusion", 1)),
        (("engaged_in_education", 4), ("positive_peer", 2), ("sports_club", 1)),
        (14, 15),
        0.5,
        (6, 9),
        (("association", 5), ("school_peer", 3), ("online_contact", 2)),
        (("EDU", 5), ("CSC", 2), ("NPOL", 1), ("HLT", 1)),
        "all",
        0.45,
    ),
    Theme(
        "younger",
        "Hollins Green younger group",
        ("rec_ground", "underpass", "youth_club"),
        ("going_missing", "robbery"),
        (("criminal_exploitation", 2), ("missing_episodes", 2), ("school_exclusion", 1)),
        (("youth_club", 4), ("sports_club", 2), ("trusted_adult", 2)),
        (10, 12),
        0.7,
        (5, 8),
        (("association", 6), ("school_peer", 2)),
        (("YS", 4), ("EDU", 3), ("CSC", 2), ("NPOL", 1)),
        "recent",
        0.5,
    ),
    Theme(
        "towpath",
        "Riverside towpath group",
        ("towpath", "off_licence", "school:The Bridge Pupil Referral Unit"),
        ("serious_youth_violence", "going_missing"),
        (("substance_misuse", 4), ("missing_episodes", 2), ("school_exclusion", 2)),
        (("trusted_adult", 1), ("employment_training", 2)),
        (15, 17),
        0.7,
        (5, 7),
        (("association", 6), ("co_offending", 1)),
        (("YS", 3), ("NPOL", 2), ("CSC", 2), ("EDU", 1)),
        "stale",
        0.7,
    ),
    Theme(
        "underpass",
        "St Anselm's underpass group",
        ("underpass", "chicken_shop", "faith_hall"),
        ("serious_youth_violence", "criminal_exploitation", "going_missing"),
        (("criminal_exploitation", 3), ("substance_misuse", 2), ("missing_episodes", 2)),
        (("faith_group", 2), ("youth_club", 2), ("trusted_adult", 1)),
        (13, 17),
        0.7,
        (6, 9),
        (("association", 6), ("co_offending", 1)),
        (("VOL", 4), ("YS", 2), ("NPOL", 2), ("CSC", 2)),
        "recent",
        0.7,
    ),
    Theme(
        "route38",
        "Route 38 bus group",
        ("bus_route", "bus_station", "underpass", "station"),
        ("robbery", "robbery", "robbery", "serious_youth_violence"),
        (("criminal_exploitation", 2), ("school_exclusion", 3), ("substance_misuse", 2)),
        (("sports_club", 1), ("employment_training", 2), ("trusted_adult", 1)),
        (14, 17),
        0.8,
        (6, 10),
        (("association", 5), ("co_offending", 3)),
        (("TPOL", 4), ("NPOL", 3), ("CSC", 1), ("EDU", 1)),
        "all",
        0.7,
    ),
    Theme(
        "football",
        "Leisure centre football group",
        ("sports", "park", "youth_club"),
        (),
        (("school_exclusion", 1), ("substance_misuse", 1)),
        (("sports_club", 5), ("positive_peer", 3), ("trusted_adult", 2), ("engaged_in_education", 2)),
        (12, 16),
        0.75,
        (7, 11),
        (("association", 6), ("school_peer", 2)),
        (("YS", 3), ("EDU", 2), ("VOL", 2)),
        "all",
        0.15,
    ),
    Theme(
        "online",
        "Arcfire online group",
        ("game_server", "chat_app"),
        ("peer_on_peer_abuse", "sexual_exploitation"),
        (("online_harm", 4), ("sexual_exploitation", 1)),
        (("engaged_in_education", 3), ("positive_peer", 1)),
        (12, 15),
        0.6,
        (5, 8),
        (("online_contact", 6), ("association", 2)),
        (("EDU", 2), ("CSC", 2), ("NPOL", 2), ("HLT", 1)),
        "all",
        0.5,
    ),
)

# Which agencies usually record each incident kind, and with what weight.
INCIDENT_AGENCIES: dict[str, Weights] = {
    "criminal_exploitation": (("NPOL", 4), ("CSC", 3), ("YS", 1)),
    "sexual_exploitation": (("CSC", 4), ("HLT", 3), ("NPOL", 2)),
    "going_missing": (("NPOL", 3), ("CSC", 4)),
    "serious_youth_violence": (("NPOL", 5), ("TPOL", 1), ("EDU", 1), ("HLT", 1)),
    "robbery": (("NPOL", 3), ("TPOL", 3), ("EDU", 1)),
    "peer_on_peer_abuse": (("EDU", 5), ("CSC", 2), ("NPOL", 1)),
}
INCIDENT_SUMMARY: dict[str, str] = {
    "criminal_exploitation": "Young people found holding drugs and cash for adults; NRM referral considered.",
    "sexual_exploitation": "Young people taken to a flat by adults and given alcohol; strategy meeting held.",
    "going_missing": "Young people reported missing overnight and found together out of area.",
    "serious_youth_violence": "Fight involving a knife; one young person taken to hospital.",
    "robbery": "Phone and bank card taken from a young person by a group.",
    "peer_on_peer_abuse": "Intimate images of a pupil shared without consent and pupil assaulted.",
}
CONCERN_AGENCIES: dict[str, Weights] = {
    "criminal_exploitation": (("NPOL", 2), ("CSC", 3), ("YS", 1)),
    "sexual_exploitation": (("CSC", 3), ("HLT", 2), ("NPOL", 1)),
    "missing_episodes": (("CSC", 3), ("NPOL", 2)),
    "substance_misuse": (("YS", 2), ("EDU", 2), ("HLT", 1), ("VOL", 1)),
    "school_exclusion": (("EDU", 4),),
    "online_harm": (("EDU", 3), ("CSC", 1)),
}
STRENGTH_AGENCIES: dict[str, Weights] = {
    "trusted_adult": (("CSC", 2), ("EDU", 2), ("YS", 1)),
    "engaged_in_education": (("EDU", 4),),
    "sports_club": (("YS", 2), ("VOL", 2), ("EDU", 1)),
    "positive_peer": (("EDU", 2), ("YS", 2)),
    "youth_club": (("YS", 4), ("VOL", 1)),
    "faith_group": (("VOL", 2), ("YS", 1)),
    "employment_training": (("YS", 2), ("CSC", 1), ("VOL", 1)),
}
STRENGTH_KINDS: tuple[str, ...] = tuple(STRENGTH_AGENCIES)
CONCERN_KINDS: tuple[str, ...] = tuple(CONCERN_AGENCIES)
