"""Short practitioner-style case notes for the demo borough, including planted victim-blaming wording.

The neutral notes describe what was seen or said; the planted ones use phrases docs/domain.md §6 says to flag,
so the labelling-risk report has something real to find.
"""

from __future__ import annotations

import random

NOTES: dict[str, tuple[str, ...]] = {
    "association": (
        "Seen together after school on several occasions.",
        "{first} named {other} as a close friend during a 1:1.",
        "Regularly arrive and leave together; appear close.",
        "Mentioned by {first} as someone they spend evenings with.",
        "Observed in a group of five including {other}.",
        "Parent reports {first} spends most weekends with {other}.",
        "Both collected from the same address by an unknown adult.",
    ),
    "co_offending": (
        "Arrested together; released under investigation.",
        "Both stopped in the same vehicle; cannabis and cash found.",
        "CCTV shows both at the scene of a shop theft.",
        "Named together in a report of criminal damage.",
    ),
    "school_peer": (
        "Same tutor group.",
        "Same year group; sit together in most lessons.",
        "Both attend the same lunchtime club.",
    ),
    "online_contact": (
        "Screenshots show daily messages between them.",
        "Both members of the same group chat; {first} disclosed the chat.",
        "Mutual followers; frequent contact late at night.",
    ),
    "sibling": (
        "Siblings, same household.",
        "Half-siblings; live at the same address.",
    ),
    "present_at": (
        "Seen at {place} around 21:00 with older young people.",
        "Detached team spoke with {first} at {place}.",
        "Stopped and spoken to at {place}; gave details.",
        "{first} says they often go to {place} after school.",
        "Regular attender at {place}.",
        "CCTV places {first} at {place} late evening.",
    ),
    "harmed": (
        "{first} disclosed being hurt during the incident.",
        "Reported as the young person harmed; injuries treated at hospital.",
        "{first} was threatened and had belongings taken.",
        "Found by police after being reported missing; safe and well check completed.",
        "Disclosed pressure to carry packages for adults.",
    ),
    "harming": (
        "Named by the young person harmed as responsible.",
        "Identified on CCTV as one of those responsible.",
        "Alleged to have shared images of another pupil without consent.",
        "Arrested on suspicion; enquiries ongoing.",
    ),
    "witness": (
        "Gave an account of what happened.",
        "Present and saw the incident; willing to speak to staff.",
        "Witness account taken by the school.",
    ),
    "present": (
        "Present at the time; not thought to have taken part.",
        "With the group when it happened.",
        "Seen on CCTV nearby at the time.",
    ),
}

# Who checks a claim and finds it untrue, and what they write.
REFUTE_NOTES: dict[str, tuple[tuple[str, str], ...]] = {
    "present_at": (
        ("TPOL", "CCTV reviewed: {first} is not the young person seen at {place}."),
        ("EDU", "Register shows {first} was on a residential trip that evening."),
        ("NPOL", "Enquiries show {first} was out of the area that evening; not seen at {place}."),
    ),
    "present": (
        ("EDU", "Attendance records show {first} was in school at the time."),
        ("CSC", "Account checked with carer: {first} was at football training when this happened."),
        ("NPOL", "CCTV reviewed: {first} was not there at the time."),
    ),
    "association": (
        ("CSC", "{first} and {other} have not been in contact since changing schools; parents confirm."),
        ("EDU", "Checked with school: {first} does not know {other}."),
        ("YS", "{first} says they know {other} only by name; never seen together by the team."),
    ),
}

RETRACT_NOTE = "Retracted: intelligence related to a different young person with a similar name."
CORRECT_NOTE = "Regraded after supervisor review; source not seen first-hand."
TIP_NOTE = "Anonymous caller named {first} among those who were there when it happened; no further detail."

CONCERN_NOTES: dict[str, tuple[str, ...]] = {
    "criminal_exploitation": (
        "Found with cash and two phones; unable to explain.",
        "Disclosed being made to hold items for older people.",
    ),
    "sexual_exploitation": (
        "Gifts and phone credit from unknown adults.",
        "Picked up in cars by unknown adults.",
    ),
    "missing_episodes": (
        "Three missing episodes this term.",
        "Missing overnight; returned with new clothes.",
    ),
    "substance_misuse": ("Smelling of cannabis in school.", "Referred to young people's drug service."),
    "school_exclusion": (
        "Fixed-term exclusion; now on a reduced timetable.",
        "Permanently excluded; placed at the PRU.",
    ),
    "online_harm": (
        "Receiving threatening messages online.",
        "Images shared without consent in a group chat.",
    ),
}
STRENGTH_NOTES: dict[str, tuple[str, ...]] = {
    "trusted_adult": ("Good relationship with grandmother.", "Trusts the school mentor and seeks her out."),
    "engaged_in_education": (
        "Attendance above 95%; engaged in lessons.",
        "Working towards GCSEs; positive reports.",
    ),
    "sports_club": (
        "Plays for a local football club twice a week.",
        "Boxing club member; coach is supportive.",
    ),
    "positive_peer": ("Has a steady friend outside the group.", "Friends from the school choir."),
    "youth_club": ("Attends the youth centre most evenings.", "Volunteers at the youth centre tuck shop."),
    "faith_group": ("Attends the community hall youth group.", "Involved in mosque youth activities."),
    "employment_training": (
        "On a construction skills course.",
        "Part-time job at a garage; employer positive.",
    ),
}

# Victim-blaming or adultifying notes (docs/domain.md §6), planted so the language check finds them.
VICTIM_BLAMING: dict[str, tuple[str, ...]] = {
    "criminal_exploitation": (
        "{first} is drug running for older males and is putting {self} at risk.",
        "Appears to be working for local dealers; this is a lifestyle choice.",
        "{first} is streetwise and associating with elders from the estate.",
    ),
    "sexual_exploitation": (
        "{first} has an older boyfriend who picks {obj} up from school; {subj} is putting {self} at risk.",
        "{first} keeps going missing and went back to the same address again.",
        "Risky behaviour: {first} is contacting adult males online.",
    ),
    "missing_episodes": ("{first} keeps going missing; lifestyle choice according to carer.",),
    "other": ("{first} is putting themselves at risk by hanging around with this group.",),
}

# Planted on a concern about a child under 13: flagged only because of the child's age.
UNDER_13_NOTE = "{first} is sexually active; met an older teenager online."

# Phrases the planted notes use and neutral notes must never use (docs/domain.md §6 table).
FLAGGED_PHRASES: tuple[str, ...] = (
    "putting himself at risk",
    "putting herself at risk",
    "putting themselves at risk",
    "lifestyle choice",
    "risky behaviour",
    "became involved",
    "recruited",
    "working for",
    "drug running",
    "went back to",
    "keeps going missing",
    "sexually active",
    "consented",
    "older boyfriend",
    "in a relationship with",
    "associating with elders",
    "child prostitute",
    "gang member",
    "streetwise",
    "promiscuous",
    "the way she dresses",
    "money mule",
    "gift girl",
    "contacting adult",
)


def note(rng: random.Random, table: dict[str, tuple[str, ...]], key: str, **fields: str) -> str:
    return rng.choice(table[key]).format(**fields)


def victim_blaming(rng: random.Random, theme_concern: str, first: str, sex: str) -> str:
    key = theme_concern if theme_concern in VICTIM_BLAMING else "other"
    she = sex == "female"
    return rng.choice(VICTIM_BLAMING[key]).format(
        first=first,
        self="herself" if she else "himself",
        subj="she" if she else "he",
        obj="her" if she else "him",
    )
