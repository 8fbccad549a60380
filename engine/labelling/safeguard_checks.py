"""Issue 12's labelling checks: exploited children shown as harming, presence-only inclusion, evidence from
social media or open sources, sharing agreements' governance fields, and the breach register."""

from __future__ import annotations

from datetime import date

import numpy as np

from ..breaches import breach_register, late_to_ico
from ..governance import lawful_basis_problem
from ..map_model import Reason
from ..mapping import rule_pack_of
from ..rules.scoring import Status as ItemStatus
from ..rules.scoring import score_items
from ..safeguards import normal_kind, shipped_safeguards
from ..vocab import COLLECTION_CODE, CollectionMethod, Relation
from .record import Check, Context, Example, Outcome, step
from .results import Finding

_HARMING = Relation.HARMING.value
_HARMED = Relation.HARMED.value


def _exploited_shown_as_harming(ctx: Context) -> Outcome:
    words = shipped_safeguards()
    concerns: dict[str, list[str]] = {}
    for c in ctx.snap.concerns:
        if words.is_exploitation(c.kind):
            concerns.setdefault(c.person_id, []).append(normal_kind(c.kind).replace("_", " "))
    findings = []
    for pid in ctx.shown:
        st = ctx.result.statuses[pid]
        harming = sorted(i for i, rs in st.roles.items() if _HARMING in rs)
        harmed = sorted(i for i, rs in st.roles.items() if _HARMED in rs)
        marked = any(r.code == "possibly_exploited" for r in st.reasons)
        if not (harming or marked) or not (pid in concerns or harmed or marked):
            continue
        why = (
            f"a concern of {' and '.join(sorted(set(concerns[pid])))} is held"
            if pid in concerns
            else f"also recorded as harmed ({', '.join(harmed)})"
            if harmed
            else "inclusion marks them possibly exploited"
        )
        where = f"recorded as harming in {', '.join(harming)}" if harming else "recorded as co-offending"
        shown = "shown as possibly exploited" if marked else "NOT shown as possibly exploited: correct the record"
        findings.append(Finding(f"{where} while {why}; {shown}", pid, tuple(harming)))
    return Outcome(findings)


EXPLOITED_SHOWN_AS_HARMING = Check(
    id="exploited_shown_as_harming",
    title="Possibly exploited children recorded as harming",
    scope="person",
    why=(
        "Children criminally or sexually exploited are made to offend; the Gangs Matrix listed victims as "
        "perpetrators (ICO, 2018). Each such child must be reviewed as a victim first."
    ),
    run=_exploited_shown_as_harming,
    messages={
        "found": "{n} shown young people are recorded as harming or co-offending while possibly exploited",
        "none": "no shown young person is recorded as harming while a concern of exploitation is held",
    },
    examples=(
        Example(
            "recorded as harming in I1 with a concern of county lines",
            True,
            (
                step(
                    "person",
                    "K",
                    "Kay Ell",
                    roles={"I1": ["harming"]},
                    reasons=[Reason("harming_in_incident", "included: recorded as harming ... possibly exploited")],
                ),
                step("concern", "K", "County lines"),
            ),
            ("K",),
        ),
        Example(
            "harmed in one incident and harming in another",
            True,
            (step("person", "H", "Hal Two", roles={"I1": ["harmed"], "I2": ["harming"]}),),
            ("H",),
        ),
        Example(
            "recorded as harming with no exploitation concern and never harmed",
            False,
            (step("person", "T", "Tom Three", roles={"I1": ["harming"]}), step("concern", "T", "substance_misuse")),
        ),
    ),
)


def _presence_only(ctx: Context) -> Outcome:
    findings = [
        Finding("included on presence at a place of concern alone: no incident, no concern recorded", pid)
        for pid in ctx.included
        if any(r.code == "presence_only" for r in ctx.result.statuses[pid].reasons)
    ]
    return Outcome(findings)


PRESENCE_ONLY = Check(
    id="presence_only",
    title="Included on presence alone",
    scope="person",
    why="Being seen at a place is not evidence of harm; the Gangs Matrix listed people for where they were seen.",
    run=_presence_only,
    messages={
        "found": "{n} included young people are on the map by presence at a place of concern alone",
        "none": "no young person is included by presence at a place alone",
    },
    examples=(
        Example(
            "the panel's policy includes presence alone",
            True,
            (step("person", "P", "Pat Four", reasons=[Reason("presence_only", "flag: included on presence ...")]),),
            ("P",),
        ),
        Example("included through an incident", False, (step("person", "Q", "Quinn Five"),)),
    ),
)

_UNUSED_METHODS = (CollectionMethod.SOCIAL_MEDIA, CollectionMethod.OPEN_SOURCE)


def _collection_method(ctx: Context) -> Outcome:
    ev = ctx.snap.evidence
    codes = np.array([COLLECTION_CODE[m.value] for m in _UNUSED_METHODS])
    candidates = np.isin(ev.collection, codes)
    if not candidates.any():
        return Outcome(values={"total": 0})
    items = score_items(ev, rule_pack_of(ctx.result), ctx.as_at)
    used = np.flatnonzero(candidates & (items.status == ItemStatus.USED))
    ids = ctx.snap.nodes.ids
    shown = set(ctx.shown)
    findings = []
    for i in used.tolist():
        subject = ids[int(ev.subject[i])]
        if subject not in shown:
            continue  # counted only: never a left-out young person's record, not even by id
        method = CollectionMethod(list(COLLECTION_CODE)[int(ev.collection[i])]).value.replace("_", " ")
        findings.append(Finding(f"evidence {ev.evidence_id[i]} collected from {method} is used", subject))
    return Outcome(findings, values={"total": int(candidates.sum())})


COLLECTION_METHOD = Check(
    id="collection_method",
    title="Evidence from social media or open sources used",
    scope="person",
    why=(
        "The Gangs Matrix treated music videos and social-media posts as signs of gang membership (Amnesty, "
        "2018). The default rule pack does not use such items; a panel that changes that is flagged here."
    ),
    run=_collection_method,
    messages={
        "found": "{n} shown young people have links resting partly on social-media or open-source material",
        "none": "no social-media or open-source material is used ({total} such item(s) held, none used)",
    },
    examples=(
        Example(
            "the panel's pack uses social-media items and one supports a link",
            True,
            (
                step("person", "S", "Sam Six"),
                step("rule_pack_using", "social_media"),
                step("evidence", "S", "L1", "present_at", collection="social_media", evidence_id="E-SM"),
            ),
            ("S",),
        ),
        Example(
            "a social-media item is held but the default pack does not use it",
            False,
            (step("person", "S", "Sam Six"), step("evidence", "S", "L1", "present_at", collection="social_media")),
        ),
        Example("no such items", False, (step("person", "S", "Sam Six"),)),
    ),
)


def _agreement_governance(ctx: Context) -> Outcome:
    findings = []
    table = []
    for a in sorted(ctx.snap.agreements.values(), key=lambda x: x.agreement_id):
        gaps = []
        basis = lawful_basis_problem(a.lawful_basis, bool(a.special_category))
        if basis:
            gaps.append(basis)
        if a.retention_days is None:
            gaps.append("no retention period")
        if a.dpo_consulted_on is None:
            gaps.append("no date the data protection officer was consulted")
        table.append(
            {
                "agreement": a.agreement_id,
                "special_category": bool(a.special_category),
                "retention_days": a.retention_days,
                "dpia_ref": a.dpia_ref,
                "dpo_consulted_on": a.dpo_consulted_on.isoformat() if a.dpo_consulted_on else None,
                "gaps": gaps,
            }
        )
        if gaps:
            findings.append(Finding(f"{a.agreement_id}: {'; '.join(gaps)}", refs=(a.agreement_id,)))
    return Outcome(
        findings,
        affected=[f.refs[0] for f in findings],
        table=table,
        values={"total": len(ctx.snap.agreements)},
    )


AGREEMENT_GOVERNANCE = Check(
    id="agreement_governance",
    title="Sharing agreements: lawful basis, retention period, DPO consulted",
    scope="governance",
    why=(
        "The ICO found the Gangs Matrix had no retention period and no data-protection assessment; a lawful "
        "basis nobody has decided ('tbc') is no basis. Each agreement needs an Article 6 basis (and an Article "
        "9 / Schedule 1 condition for special-category data), a retention period and the DPO's consultation."
    ),
    run=_agreement_governance,
    messages={
        "found": "{n} of {total} agreement(s) lack a retention period, a DPO consultation date or a valid basis",
        "none": "all {total} agreement(s) record a valid basis, a retention period and the DPO's consultation",
    },
    examples=(
        Example(
            "an agreement with no retention period",
            True,
            (step("agreement", "ISA-NORET", "police", retention_days=None, dpo_consulted_on=date(2025, 1, 1)),),
            ("ISA-NORET",),
        ),
        Example(
            "an agreement whose lawful basis is 'tbc'",
            True,
            (
                step(
                    "agreement",
                    "ISA-TBC",
                    "police",
                    lawful_basis="tbc",
                    retention_days=365,
                    dpo_consulted_on=date(2025, 1, 1),
                ),
            ),
            ("ISA-TBC",),
        ),
        Example("the standard agreement records all three", False, ()),
    ),
)


def _breach_register(ctx: Context) -> Outcome:
    assert ctx.store is not None  # needs_store
    rows = breach_register(ctx.store)
    late = [b for b in rows if late_to_ico(b)]
    findings = [
        Finding(
            f"breach {b.id} (occurred {b.occurred_on}, discovered {b.discovered_on}): "
            + ("reported to the ICO" if b.reported_to_ico else "NOT reported to the ICO")
            + (" — more than 72 hours since it was discovered" if late_to_ico(b) else ""),
            refs=(f"breach:{b.id}",),
        )
        for b in rows
    ]
    return Outcome(
        findings,
        affected=[f"breach:{b.id}" for b in rows],
        table=[b.to_json() for b in rows],
        values={"total": len(rows), "late": len(late)},
    )


BREACH_REGISTER = Check(
    id="breach_register",
    title="Breach register",
    scope="governance",
    why=(
        "A council was fined after emailing the unredacted Gangs Matrix to 44 recipients. Every breach is "
        "recorded (`peermap breach record`) and reviewed here; the ICO must be told within 72 hours."
    ),
    run=_breach_register,
    needs_store=True,
    messages={
        "found": "{total} breach(es) recorded, {late} not reported to the ICO after 72 hours",
        "none": "no breach recorded",
        "not_checked": "not checked: needs the database's breach register",
    },
    examples=(
        Example(
            "a report emailed to the wrong recipients, not reported to the ICO",
            True,
            (step("breach", date(2026, 10, 2), "map report emailed to 44 recipients"),),
            ("breach:1",),
        ),
        Example("no breach recorded", False, ()),
        Example("no breach recorded (no database)", False, (), store=False),
    ),
)

CHECKS = (EXPLOITED_SHOWN_AS_HARMING, PRESENCE_ONLY, COLLECTION_METHOD, AGREEMENT_GOVERNANCE, BREACH_REGISTER)
