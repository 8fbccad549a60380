"""Plain-English terms for a scored pair: what each field contributed and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .features import MISSING
from .model import FIELDS, TWIN, Scored
from .policy import FIELD_LEVELS
from .records import RecordTable

MATCH_FIELD_LABELS = {
    "given_name": "first name",
    "surname": "surname",
    "date_of_birth": "date of birth",
    "birth_year": "birth year",
    "sex": "sex",
    "area": "area",
    "school": "school",
    "address": "address",
    TWIN: "twin pattern",
}


@dataclass(frozen=True)
class Term:
    """One field's contribution to a match score, in bits (log2 of the likelihood ratio m/u)."""

    field: str
    level: str
    bits: float
    m: float | None
    u: float | None
    detail: str

    def to_json(self) -> dict[str, object]:
        out = asdict(self)
        out["bits"] = round(self.bits, 3)
        for k in ("m", "u"):
            if out[k] is not None:
                out[k] = round(float(out[k]), 6)
        return out


def _dob(t: RecordTable, i: int) -> str:
    if t.full_dob[i]:
        return f"{int(t.day[i]):02d}/{int(t.month[i]):02d}/{int(t.year[i])}"
    return str(int(t.year[i])) if t.year[i] >= 0 else "unknown"


def _detail(
    field: str,
    level: str,
    t: RecordTable,
    i: int,
    j: int,
    sim: float | None,
    swapped: bool,
    similar_at: float,
) -> str:
    def pair(values: list[str]) -> str:
        return f"{values[i] or '-'} / {values[j] or '-'}"

    if field in ("given_name", "surname"):
        if swapped:
            a = t.given[i] if field == "given_name" else t.surname[i]
            b = t.surname[j] if field == "given_name" else t.given[j]
            shown = f"{a} / {b} (first name and surname swapped on one record)"
        else:
            shown = pair(t.given if field == "given_name" else t.surname)
        simf = sim or 0.0
        name_how = {
            "exact": "the same",
            "nickname": "in one nickname group",
            "initial": "an initial that agrees",
            "similar": f"similar spelling (similarity {simf:.2f})"
            if simf >= similar_at
            else f"one typing slip apart (similarity {simf:.2f})",
            "phonetic": "sound alike (same Soundex code)",
            "related": f"partly alike (similarity {simf:.2f})",
            "disagree": "different",
        }[level]
        return f"{shown}: {name_how}"
    if field in ("date_of_birth", "birth_year"):
        how = {
            "exact": "the same",
            "transposed": "day and month swapped",
            "one_part": "two of day, month, year agree",
            "conflict": "different",
            "agree": "same year",
            "near": "one year apart",
            "disagree": "different years",
        }
        return f"{_dob(t, i)} / {_dob(t, j)}: {how[level]}"
    values = {"sex": t.sex, "area": t.area, "school": t.school, "address": t.address}[field]
    text = pair(values)
    if sim is not None and level in ("similar", "related"):
        return f"{text}: {level} (similarity {sim:.2f})"
    return f"{text}: {level}"


def terms_for(scored: Scored, k: int) -> list[Term]:
    """The terms of pair k, strongest first; fields missing on either record are listed with 0 bits."""
    t, comp, model = scored.table, scored.comparison, scored.model
    i, j = int(comp.left[k]), int(comp.right[k])
    out: list[Term] = []
    for col, field in enumerate(FIELDS):
        level_ix = int(comp.levels[field][k])
        if level_ix == MISSING:
            if field in ("birth_year",) and t.full_dob[i] and t.full_dob[j]:
                continue  # compared as a full date instead
            if field == "date_of_birth" and not (t.full_dob[i] and t.full_dob[j]) and t.year[i] >= 0 and t.year[j] >= 0:
                continue  # compared as a birth year instead
            out.append(Term(field, "missing", 0.0, None, None, "not recorded on both records: no weight"))
            continue
        level = FIELD_LEVELS[field][level_ix]
        sim = comp.similarity.get(field)
        out.append(
            Term(
                field,
                level,
                float(scored.contributions[k, col]),
                float(model.m[field][level_ix]),
                float(model.u[field][level_ix]),
                _detail(
                    field,
                    level,
                    t,
                    i,
                    j,
                    None if sim is None else float(sim[k]),
                    bool(comp.swapped[k]),
                    model.policy.similarity.similar,
                ),
            )
        )
    twin = float(scored.contributions[k, -1])
    if twin:
        out.append(
            Term(
                TWIN,
                "applies",
                twin,
                None,
                None,
                "same surname and date of birth but a different first name: could be twins, so a shared "
                "area, school or address counts for nothing",
            )
        )
    out.sort(key=lambda x: (-abs(x.bits), x.field))
    return out


def explanation_text(scored: Scored, k: int, terms: list[Term]) -> str:
    t = scored.table
    i, j = int(scored.left[k]), int(scored.right[k])
    lines = [
        f"{t.display[i]} ({t.ids[i]}) and {t.display[j]} ({t.ids[j]}): match probability "
        f"{float(scored.probability[k]):.3f} (log-odds {float(scored.log_odds[k]):+.1f} bits)",
        f"  prior: {scored.model.prior_bits:+.1f} bits (policy prior_match_probability "
        f"{scored.model.policy.prior_match_probability})",
    ]
    for term in terms:
        lines.append(f"  {MATCH_FIELD_LABELS[term.field]}: {term.detail} ({term.bits:+.1f})")
    return "\n".join(lines)
