"""Proposals for review, and practitioners' decisions on them: confirm, reject, unsure, unlink.

Nothing is merged silently: a link exists only as a confirmed IdentityDecision (append-only, the latest
per pair wins), so unlinking recomputes the map exactly as it was. Two records someone has rejected as
different people are never joined, directly or through other links.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlmodel import Session, col, select

from .. import audit, clock
from ..access import Actor, Role, require
from ..errors import NotFound, PeermapError, PolicyError
from ..identity_links import canonical_ids, latest_decisions, pair_key
from ..models import IdentityDecision, ImportBatch, YoungPerson
from ..naming import naming_payload
from ..store import Store, lock_writers
from .explain import MATCH_FIELD_LABELS, Term, explanation_text, terms_for
from .features import Prepared
from .model import MatchModel, Scored, match_records, score_pairs
from .policy import IdentityPolicy, load_identity_policy
from .records import RecordTable

CONFIRMED, REJECTED, UNSURE, UNLINKED = "confirmed", "rejected", "unsure", "unlinked"
DECIDERS = (Role.PRACTITIONER, Role.PANEL)


class IdentityConflict(PeermapError):
    """The decision contradicts an earlier one (e.g. it would join records declared different people)."""


@dataclass(frozen=True)
class MatchProposal:
    """Two agency records that may be the same young person, with the score's terms and explanation."""

    id: str  # "M-<record_a>-<record_b>", record_a < record_b
    record_a: str
    record_b: str
    score: float  # match probability
    log_odds: float  # bits
    terms: tuple[Term, ...]
    explanation: str
    name_a: str
    name_b: str
    agency_a: str | None
    agency_b: str | None
    auto_link: bool  # reaches the auto-link threshold and levels (linked without review only if policy allows)
    review_status: str = "new"  # new | unsure | unlinked: the latest decision, if any, left the pair open
    policy_version: str = ""

    def to_json(self, *, names: bool = True) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "record_a": self.record_a,
            "record_b": self.record_b,
            "score": round(self.score, 4),
            "log_odds": round(self.log_odds, 3),
            "auto_link": self.auto_link,
            "review_status": self.review_status,
            "agency_a": self.agency_a,
            "agency_b": self.agency_b,
            "policy_version": self.policy_version,
            "terms": [t.to_json() for t in self.terms],
        }
        if names:
            out.update(name_a=self.name_a, name_b=self.name_b, explanation=self.explanation)
        return out

    def withheld_json(self, not_on_map: Collection[str]) -> dict[str, object]:
        """The proposal as a practitioner may see it when a record is about a young person not on the map.

        That side is "a record held by AGENCY about a young person not on the map": no name, no date of birth,
        no record id (the proposal id is opaque too); each term keeps how the fields compare, never their values.
        """
        sides = {}
        for side, record, agency, name in (
            ("a", self.record_a, self.agency_a, self.name_a),
            ("b", self.record_b, self.agency_b, self.name_b),
        ):
            hidden = record in not_on_map
            sides[f"record_{side}"] = None if hidden else record
            sides[f"name_{side}"] = (
                f"a record held by {agency or 'an agency'} about a young person not on the map" if hidden else name
            )
        kept = [(t, t.detail.split(": ", 1)[1] if ": " in t.detail else t.level) for t in self.terms]
        terms = [{**t.to_json(), "detail": how} for t, how in kept]
        withheld_id = "M-withheld-" + hashlib.sha256(self.id.encode()).hexdigest()[:10]
        return {
            "id": withheld_id,
            **sides,
            "score": round(self.score, 4),
            "log_odds": round(self.log_odds, 3),
            "auto_link": self.auto_link,
            "review_status": self.review_status,
            "agency_a": self.agency_a,
            "agency_b": self.agency_b,
            "policy_version": self.policy_version,
            "terms": terms,
            "explanation": "\n".join(
                [
                    "A possible match with a record about a young person not on the map (names and dates withheld):",
                    *(f"  {MATCH_FIELD_LABELS[t.field]}: {how} ({t.bits:+.1f})" for t, how in kept),
                ]
            ),
            "withheld": True,
        }


def proposal_id(a: str, b: str) -> str:
    lo, hi = pair_key(a, b)
    return f"M-{lo}-{hi}"


def _known_records(s: Session, as_at: date | None) -> list[YoungPerson]:
    people = list(s.exec(select(YoungPerson)))
    if as_at is None:
        return sorted(people, key=lambda p: p.person_id)
    cutoff = clock.end_of_day(as_at)
    known = {i for i in s.exec(select(ImportBatch.id).where(col(ImportBatch.imported_at) <= cutoff))}
    return sorted((p for p in people if p.import_id is None or p.import_id in known), key=lambda p: p.person_id)


def _decisions(s: Session, as_at: date | None = None) -> list[IdentityDecision]:
    rows = list(s.exec(select(IdentityDecision).order_by(col(IdentityDecision.id))))
    if as_at is None:
        return rows
    cutoff = clock.end_of_day(as_at)
    return [d for d in rows if d.decided_at <= cutoff]


def _proposal(
    scored: Scored,
    k: int,
    people: dict[str, YoungPerson],
    policy: IdentityPolicy,
    auto_ok: np.ndarray,
    status: str,
) -> MatchProposal:
    t = scored.table
    a, b = t.ids[int(scored.left[k])], t.ids[int(scored.right[k])]
    terms = terms_for(scored, k)
    prob = float(scored.probability[k])
    return MatchProposal(
        id=proposal_id(a, b),
        record_a=a,
        record_b=b,
        score=prob,
        log_odds=float(scored.log_odds[k]),
        terms=tuple(terms),
        explanation=explanation_text(scored, k, terms),
        name_a=people[a].name,
        name_b=people[b].name,
        agency_a=people[a].agency,
        agency_b=people[b].agency,
        auto_link=bool(auto_ok[k]) and prob >= policy.thresholds.auto_link,
        review_status=status,
        policy_version=policy.version,
    )


def _rejected_between(
    canonical: dict[str, str], latest: dict[tuple[str, str], IdentityDecision]
) -> set[tuple[str, str]]:
    """Pairs of clusters (canonical ids) holding two records someone rejected as different people."""
    out: set[tuple[str, str]] = set()
    for (x, y), d in latest.items():
        if d.status == REJECTED and x in canonical and y in canonical:
            out.add(pair_key(canonical[x], canonical[y]))
    return out


def propose_matches(
    store: Store,
    as_at: date | None = None,
    *,
    policy: IdentityPolicy | None = None,
    include_unsure: bool = True,
) -> list[MatchProposal]:
    """Pairs of records scoring at or above the policy's propose threshold, best first.

    Left out: pairs already confirmed or rejected, records already joined (directly or through other links),
    and pairs whose joining would fuse records someone has rejected as different people. Pairs last marked
    unsure or unlinked stay in the list, labelled so (unless include_unsure=False).
    """
    policy = policy or load_identity_policy()
    with store.read() as s:
        records = _known_records(s, as_at)
        decisions = _decisions(s, as_at)
    if len(records) < 2:
        return []
    people = {p.person_id: p for p in records}
    scored = match_records(RecordTable.from_people(records), policy)
    canonical = canonical_ids(list(people), decisions)
    latest = latest_decisions(decisions)
    blocked = _rejected_between(canonical, latest)
    auto_ok = scored.model.auto_link_allowed(scored.comparison)
    ids = scored.table.ids
    out: list[MatchProposal] = []
    for k in np.flatnonzero(scored.probability >= policy.thresholds.propose):
        a, b = ids[int(scored.left[k])], ids[int(scored.right[k])]
        d = latest.get(pair_key(a, b))
        status = d.status if d else "new"
        if status in (CONFIRMED, REJECTED) or canonical[a] == canonical[b]:
            continue
        if pair_key(canonical[a], canonical[b]) in blocked:
            continue
        if status in (UNSURE, UNLINKED) and not include_unsure:
            continue
        out.append(_proposal(scored, int(k), people, policy, auto_ok, status))
    out.sort(key=lambda p: (-p.score, p.id))
    return out


def score_pair(store: Store, a: str, b: str, *, policy: IdentityPolicy | None = None) -> MatchProposal:
    """Score any two records (whether or not blocking would compare them), with terms and explanation."""
    policy = policy or load_identity_policy()
    with store.read() as s:
        records = _known_records(s, None)
    people = {p.person_id: p for p in records}
    for r in (a, b):
        if r not in people:
            raise NotFound(f"no young person record {r!r}")
    if a == b:
        raise PeermapError("a record cannot be matched with itself")
    table = RecordTable.from_people(records)
    pos = {r: i for i, r in enumerate(table.ids)}
    lo, hi = sorted((pos[a], pos[b]))
    scored = score_pairs(table, policy, np.array([lo]), np.array([hi]))
    auto_ok = scored.model.auto_link_allowed(scored.comparison)
    return _proposal(scored, 0, people, policy, auto_ok, "new")


def resolve_pair(store: Store, ref: str) -> tuple[str, str]:
    """Record ids from a proposal id ("M-<a>-<b>") or "A,B"; NotFound when they are not both records."""
    with store.read() as s:
        ids = {p for p in s.exec(select(YoungPerson.person_id))}
    ref = ref.strip()
    if "," in ref:
        a, _, b = ref.partition(",")
        a, b = a.strip(), b.strip()
        missing = [r for r in (a, b) if r not in ids]
        if missing:
            raise NotFound(f"no young person record {missing[0]!r}")
        return a, b
    if ref.startswith("M-"):
        body = ref[2:]
        for i, ch in enumerate(body):
            if ch == "-" and body[:i] in ids and body[i + 1 :] in ids:
                return body[:i], body[i + 1 :]
    raise NotFound(f"{ref!r} is not a match proposal id (M-<record>-<record>) or a pair of record ids (A,B)")


def _who(d: IdentityDecision) -> str:
    return f"{d.actor} ({d.role}) on {d.decided_at:%Y-%m-%d}: {d.reason}"


def _check(status: str, a: str, b: str, records: list[str], decisions: list[IdentityDecision]) -> None:
    """Refuse a decision that contradicts the decisions already made."""
    latest = latest_decisions(decisions)
    current = latest.get(pair_key(a, b))
    if current is not None and current.status == status and status in (CONFIRMED, REJECTED):
        raise PeermapError(f"{a} and {b} are already {status} (by {_who(current)})")
    if status == CONFIRMED:
        if current is not None and current.status == REJECTED:
            raise IdentityConflict(
                f"cannot confirm {a} and {b}: they were rejected as different people by {_who(current)}. "
                f"If that was wrong, record 'unsure' on the pair first, with the reason, then confirm."
            )
        probe = IdentityDecision(
            record_a=a, record_b=b, status=CONFIRMED, reason="", actor="", role="", decided_at=clock.now()
        )
        after = canonical_ids(records, [*decisions, probe])
        for (x, y), d in sorted(latest.items()):
            if d.status == REJECTED and x in after and y in after and after[x] == after[y]:
                raise IdentityConflict(
                    f"cannot confirm {a} and {b}: it would join {x} and {y}, which were rejected as "
                    f"different people by {_who(d)}. "
                    "Evidence about two records declared different people never fuses."
                )
    elif status == REJECTED:
        probe = IdentityDecision(
            record_a=a, record_b=b, status=REJECTED, reason="", actor="", role="", decided_at=clock.now()
        )
        after = canonical_ids(records, [*decisions, probe])
        if after[a] == after[b]:
            links = sorted(
                f"{x}-{y}" for (x, y), d in latest.items() if d.status == CONFIRMED and after.get(x) == after[a]
            )
            raise IdentityConflict(
                f"cannot reject {a} and {b}: they are joined through other confirmed links "
                f"({', '.join(links)}); unlink the wrong one first"
            )
    elif status == UNLINKED:
        if current is None or current.status != CONFIRMED:
            now = canonical_ids(records, decisions)
            extra = " (they are joined only through other links: unlink one of those)" if now[a] == now[b] else ""
            raise PeermapError(f"{a} and {b} are not linked directly{extra}")
    elif status == UNSURE and current is not None and current.status == CONFIRMED:
        raise IdentityConflict(f"{a} and {b} are linked (confirmed by {_who(current)}); use unlink to withdraw it")


def _decide(
    store: Store,
    actor: Actor,
    a: str,
    b: str,
    status: str,
    reason: str,
    verb: str,
    score: float | None = None,
) -> IdentityDecision:
    require(actor, *DECIDERS, to=f"{verb} an identity match")
    reason = (reason or "").strip()
    if not reason:
        raise PeermapError(f"a reason is required to {verb} an identity match")
    if a == b:
        raise PeermapError("a record cannot be matched with itself")
    if score is None and status in (CONFIRMED, REJECTED, UNSURE):
        score = score_pair(store, a, b).score
    lo, hi = pair_key(a, b)
    with store.transaction() as s:
        # Serialise decision writers (PostgreSQL advisory lock), so two concurrent confirms cannot each
        # pass the never-fuse check and together join rejected records.
        lock_writers(s)
        records = [p for p in s.exec(select(YoungPerson.person_id))]
        for r in (lo, hi):
            if r not in set(records):
                raise NotFound(f"no young person record {r!r}")
        decisions = _decisions(s)
        _check(status, lo, hi, records, decisions)
        before = canonical_ids(records, decisions)
        row = IdentityDecision(
            record_a=lo,
            record_b=hi,
            status=status,
            score=score,
            reason=reason,
            actor=actor.name,
            role=actor.role.value,
            decided_at=clock.now(),
        )
        s.add(row)
        s.flush()
        after = canonical_ids(records, [*decisions, row])
        audit.record(
            s,
            actor,
            f"identity.{verb}",
            {
                "decision_id": row.id,
                "record_a": lo,
                "record_b": hi,
                "status": status,
                "reason": reason,
                "score": None if score is None else round(score, 6),
                "canonical_before": sorted({before[lo], before[hi]}),
                "canonical_after": sorted({after[lo], after[hi]}),
            },
            data_ref=f"identity_decision:{row.id}",
        )
        return row


def confirm(store: Store, actor: Actor, a: str, b: str, reason: str) -> IdentityDecision:
    """Link two records as the same young person (refused if it would join records rejected as different)."""
    return _decide(store, actor, a, b, CONFIRMED, reason, "confirm")


def reject(store: Store, actor: Actor, a: str, b: str, reason: str) -> IdentityDecision:
    """Declare two records different people: they will never be joined, directly or transitively."""
    return _decide(store, actor, a, b, REJECTED, reason, "reject")


def unsure(store: Store, actor: Actor, a: str, b: str, reason: str) -> IdentityDecision:
    """Record that the pair was reviewed without a conclusion (the records stay separate and in review)."""
    return _decide(store, actor, a, b, UNSURE, reason, "unsure")


def unlink(store: Store, actor: Actor, a: str, b: str, reason: str) -> IdentityDecision:
    """Withdraw a confirmed link; the map is recomputed exactly as it was without it."""
    return _decide(store, actor, a, b, UNLINKED, reason, "unlink")


def auto_link(
    store: Store, actor: Actor, as_at: date | None = None, *, policy: IdentityPolicy | None = None
) -> list[IdentityDecision]:
    """Confirm the proposals that reach the auto-link threshold and levels, when the policy enables it."""
    require(actor, *DECIDERS, to="auto-link identity matches")
    policy = policy or load_identity_policy()
    if not policy.auto_link.enabled:
        raise PolicyError("auto-linking is off in the identity policy (auto_link.enabled: false)")
    out: list[IdentityDecision] = []
    for p in propose_matches(store, as_at, policy=policy, include_unsure=False):
        if not p.auto_link:
            continue
        reason = (
            f"auto-link: probability {p.score:.4f} >= {policy.thresholds.auto_link} (identity policy {policy.version})"
        )
        try:
            out.append(_decide(store, actor, p.record_a, p.record_b, CONFIRMED, reason, "confirm", p.score))
        except IdentityConflict:
            continue  # an earlier auto-link or a rejection makes this one contradictory: leave it for review
    return out


def review_list(
    store: Store,
    actor: Actor,
    as_at: date | None = None,
    *,
    not_on_map: Collection[str] = (),
    purpose: str | None = None,
) -> list[dict[str, object]]:
    """Proposals for an actor, audited as an output naming the records it shows.

    Practitioners and the panel see names; auditors see record ids only. A proposal with a record about a young
    person not on the map (`not_on_map`: record ids) is withheld (`MatchProposal.withheld_json`) from
    practitioners; the panel, who resolve those, see it in full only when they give a purpose, which is logged.
    """
    require(actor, Role.PRACTITIONER, Role.PANEL, Role.AUDITOR, to="review identity matches")
    proposals = propose_matches(store, as_at)
    hidden = set(not_on_map)
    names = actor.role in DECIDERS
    resolver = actor.role is Role.PANEL and bool((purpose or "").strip())
    rows: list[dict[str, object]] = []
    named: list[str] = []
    withheld = 0
    for p in proposals:
        if names and not resolver and (p.record_a in hidden or p.record_b in hidden):
            rows.append(p.withheld_json(hidden))
            named += [r for r in (p.record_a, p.record_b) if r not in hidden]
            withheld += 1
            continue
        rows.append(p.to_json(names=names))
        if names:
            named += [p.record_a, p.record_b]
    payload = naming_payload(
        actor,
        named,
        as_at=as_at.isoformat() if as_at else None,
        proposals=[p.id for p in proposals],
        names_shown=names,
        withheld=withheld,
        purpose=(purpose or "").strip() or None,
    )
    audit.log_event(store, actor, "identity.review", payload)
    return rows


def explain_pair(store: Store, actor: Actor, a: str, b: str) -> dict[str, object]:
    """Any two records' score, term by term, for an actor (names as in review_list); audited."""
    require(actor, Role.PRACTITIONER, Role.PANEL, Role.AUDITOR, to="review identity matches")
    proposal = score_pair(store, a, b)
    names = actor.role in DECIDERS
    audit.log_event(
        store,
        actor,
        "identity.explain",
        naming_payload(actor, [a, b] if names else [], proposals=[proposal.id], names_shown=names),
    )
    return proposal.to_json(names=names)


def identity_model(store: Store, *, policy: IdentityPolicy | None = None) -> MatchModel:
    """The model (m, and u as estimated from the store's records) the proposals are scored with."""
    policy = policy or load_identity_policy()
    with store.read() as s:
        records = _known_records(s, None)
    return MatchModel.fit(Prepared.build(RecordTable.from_people(records), policy), policy)
