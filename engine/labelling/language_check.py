"""The language check: notes about shown young people that use victim-blaming or adultifying wording
(policies/language.yaml). Notes about young people not on the map are only counted."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlmodel import col, select

from ..ages import age_on
from ..clock import end_of_day
from ..models import Decision, Evidence, IdentityDecision, PolicyVersion
from ..snapshot import Snapshot
from ..store import Store
from .record import Check, Context, Example, Outcome, step
from .results import Finding


def _victim_blaming_language(ctx: Context) -> Outcome:
    snap = ctx.snap
    shown = set(ctx.shown)
    notes: list[tuple[str, str, str]] = []  # (record id, canonical person, note)
    notes.extend((c.concern_id, c.person_id, c.note) for c in snap.concerns if c.note)
    notes.extend((x.strength_id, x.person_id, x.note) for x in snap.strengths if x.note)
    if ctx.store is not None:
        notes.extend(_evidence_notes(ctx.store, snap))
    findings: list[Finding] = []
    hidden = 0
    for rid, pid, note in notes:
        person = snap.people.get(pid)
        ages = age_on(person, ctx.as_at) if person is not None else None
        hits = ctx.guide.find(note, age=ages[0] if ages else None)
        if not hits:
            continue
        if pid not in shown:
            hidden += 1
            continue
        for h in hits:
            findings.append(Finding(f'{rid}: "{h.phrase}"', pid, (rid, h.entry), h.suggest))
    note = " (concern and strength notes only: evidence notes need the database)" if ctx.store is None else ""
    if hidden:
        note += f"; {hidden} flagged note(s) about young people not on the map"
    # A flagged note about someone not on the map still flags the check, though no one is named.
    return Outcome(findings, flag=bool(findings or hidden), note=note)


def _evidence_notes(store: Store, snap: Snapshot) -> Iterable[tuple[str, str, str]]:
    known = set(snap.evidence.evidence_id.tolist())
    with store.read() as s:
        rows = s.exec(
            select(Evidence.evidence_id, Evidence.subject_id, Evidence.note)
            .where(col(Evidence.note).is_not(None), col(Evidence.recorded_on) <= snap.as_at)
            .order_by(col(Evidence.evidence_id))
        ).all()
    for eid, subject, note in rows:
        if eid in known and note:
            yield eid, snap.canonical.get(subject, subject), note


VICTIM_BLAMING_LANGUAGE = Check(
    id="victim_blaming_language",
    title="Victim-blaming or adultifying language",
    scope="person",
    why="Children cannot consent to their own exploitation; notes shape how they are treated.",
    run=_victim_blaming_language,
    messages={
        "found": "{n} shown young people have notes with flagged wording",
        "none": "no note about a shown young person uses flagged wording",
    },
    examples=(
        Example(
            "an evidence note about a shown young person",
            True,
            (
                step("person", "B", "Ben Two", date_of_birth=date(2010, 1, 1)),
                step("evidence", "B", "I1", "harmed", note="described as streetwise"),
            ),
            ("B",),
        ),
        Example(
            "a concern note is read even without the database",
            True,
            (
                step("person", "B", "Ben Two", date_of_birth=date(2010, 1, 1)),
                step("concern", "B", "exploitation", note="Putting HIMSELF  at risk"),
            ),
            ("B",),
            store=False,
        ),
        Example(
            "a note about a young person left out flags the check but names no one",
            True,
            (
                step("person", "Z", "Zed Hidden", "left_out"),
                step("evidence", "Z", "I1", "present", note="a lifestyle choice"),
            ),
            (),
        ),
        Example(
            "plain wording",
            False,
            (
                step("person", "A", "Ann One"),
                step("evidence", "A", "I1", "harmed", note="Was assaulted near the station; mother informed"),
            ),
        ),
        Example(
            "'sexually active' is flagged for any child, not only one under 13",
            True,
            (
                step("person", "B", "Ben Two", date_of_birth=date(2010, 1, 1)),
                step("evidence", "B", "I1", "harmed", note="sexually active"),
            ),
            ("B",),
        ),
    ),
)


def _language_in_records(ctx: Context) -> Outcome:
    """Incident summaries, decision reasons, policy reasons and identity-review reasons: practitioners' own
    words about children, read by everyone who opens the map. Findings quote only the flagged phrase."""
    texts: list[tuple[str, str]] = [
        (f"incident:{iid}", inc.summary) for iid, inc in sorted(ctx.snap.incidents.items()) if inc.summary
    ]
    if ctx.store is not None:
        texts.extend(_reasons(ctx.store, ctx.as_at))
    findings = [
        Finding(f'{ref}: "{h.phrase}"', None, (ref, h.entry), h.suggest)
        for ref, text in texts
        for h in ctx.guide.find(text)
    ]
    where = sorted({f.refs[0] for f in findings})
    note = " (incident summaries only: reasons need the database)" if ctx.store is None else ""
    return Outcome(findings, affected=where, values={"records": len(where)}, note=note)


def _reasons(store: Store, as_at: date) -> Iterable[tuple[str, str]]:
    until = end_of_day(as_at)
    with store.read() as s:
        for d in s.exec(select(Decision).where(col(Decision.decided_at) <= until).order_by(col(Decision.id))):
            yield f"decision:{d.id}", d.reason
        for p in s.exec(
            select(PolicyVersion).where(col(PolicyVersion.created_at) <= until).order_by(col(PolicyVersion.version))
        ):
            yield f"policy:{p.version}", p.reason
        for i in s.exec(
            select(IdentityDecision).where(col(IdentityDecision.decided_at) <= until).order_by(col(IdentityDecision.id))
        ):
            yield f"identity-decision:{i.id}", i.reason


LANGUAGE_IN_RECORDS = Check(
    id="language_in_records",
    title="Victim-blaming wording in incident summaries and recorded reasons",
    scope="governance",
    why="Summaries and reasons travel with the map: a label written once is read as fact by every agency.",
    run=_language_in_records,
    messages={
        "found": "{records} incident summaries or recorded reasons use flagged wording",
        "none": "no incident summary or recorded reason uses flagged wording",
    },
    examples=(
        Example(
            "an incident summary",
            True,
            (step("incident", "I2", date(2026, 9, 1), summary="Two gang-associated youths fought"),),
            ("incident:I2",),
        ),
        Example(
            "a decision reason",
            True,
            (step("decision", "S-1", "not engaging, so no point offering group work"),),
            ("decision:1",),
        ),
        Example(
            "plain summaries and reasons",
            False,
            (
                step("incident", "I2", date(2026, 9, 1), summary="Assault near the station; two young people hurt"),
                step("decision", "S-1", "Context conference booked for the estate"),
            ),
        ),
    ),
)

CHECKS = (VICTIM_BLAMING_LANGUAGE, LANGUAGE_IN_RECORDS)
