"""The controlled vocabularies of the interchange format, with stable integer codes for arrays."""

from __future__ import annotations

from enum import StrEnum


class ObjectKind(StrEnum):
    PERSON = "person"
    LOCATION = "location"
    INCIDENT = "incident"


class Relation(StrEnum):
    # person - person (symmetric)
    ASSOCIATION = "association"
    CO_OFFENDING = "co_offending"
    SIBLING = "sibling"
    SCHOOL_PEER = "school_peer"
    ONLINE_CONTACT = "online_contact"
    # person - location
    PRESENT_AT = "present_at"
    # person - incident (the role in the incident; harmed and harming are never merged)
    HARMED = "harmed"
    HARMING = "harming"
    WITNESS = "witness"
    PRESENT = "present"


RELATIONS: tuple[Relation, ...] = tuple(Relation)
RELATION_CODE: dict[str, int] = {r.value: i for i, r in enumerate(RELATIONS)}

OBJECT_KIND_OF_RELATION: dict[Relation, ObjectKind] = {
    Relation.ASSOCIATION: ObjectKind.PERSON,
    Relation.CO_OFFENDING: ObjectKind.PERSON,
    Relation.SIBLING: ObjectKind.PERSON,
    Relation.SCHOOL_PEER: ObjectKind.PERSON,
    Relation.ONLINE_CONTACT: ObjectKind.PERSON,
    Relation.PRESENT_AT: ObjectKind.LOCATION,
    Relation.HARMED: ObjectKind.INCIDENT,
    Relation.HARMING: ObjectKind.INCIDENT,
    Relation.WITNESS: ObjectKind.INCIDENT,
    Relation.PRESENT: ObjectKind.INCIDENT,
}

PERSON_PERSON = frozenset(r for r, k in OBJECT_KIND_OF_RELATION.items() if k is ObjectKind.PERSON)
# Person-person relations that are peer association (family ties are not peer-group evidence).
PEER_RELATIONS = frozenset({Relation.ASSOCIATION, Relation.CO_OFFENDING, Relation.SCHOOL_PEER, Relation.ONLINE_CONTACT})


class Polarity(StrEnum):
    SUPPORTS = "supports"
    REFUTES = "refutes"


class AgencyKind(StrEnum):
    POLICE = "police"
    SOCIAL_CARE = "social_care"
    SCHOOL = "school"
    YOUTH_WORK = "youth_work"
    HEALTH = "health"
    VOLUNTARY = "voluntary"
    UNKNOWN = "unknown"


AGENCY_KINDS: tuple[AgencyKind, ...] = tuple(AgencyKind)
AGENCY_KIND_CODE: dict[str, int] = {k.value: i for i, k in enumerate(AGENCY_KINDS)}

NODE_KIND_CODE: dict[ObjectKind, int] = {ObjectKind.PERSON: 0, ObjectKind.LOCATION: 1, ObjectKind.INCIDENT: 2}


class CollectionMethod(StrEnum):
    """How an agency came by an item of evidence (the rule pack decides which methods may be used)."""

    UNSPECIFIED = "unspecified"
    DIRECT = "direct"  # seen or heard by the recording practitioner
    DISCLOSURE = "disclosure"  # told by the young person
    THIRD_PARTY = "third_party"  # told by someone else (a parent, another agency's worker)
    INTELLIGENCE = "intelligence"  # a police intelligence report
    SOCIAL_MEDIA = "social_media"  # read from social media: posts, videos, music, follows
    OPEN_SOURCE = "open_source"  # other public material: news, websites, court lists


COLLECTION_METHODS: tuple[CollectionMethod, ...] = tuple(CollectionMethod)
COLLECTION_CODE: dict[str, int] = {m.value: i for i, m in enumerate(COLLECTION_METHODS)}
