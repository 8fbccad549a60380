"""Identity resolution: propose which agency records are the same young person; practitioners decide.

blocking -> features -> model (Fellegi–Sunter) -> explain -> review (decisions, audited, role-checked).
"""

from .explain import Term
from .model import MatchModel, Scored, match_records, score_pairs
from .policy import IdentityPolicy, load_identity_policy, parse_identity_policy
from .records import RecordTable
from .review import (
    IdentityConflict,
    MatchProposal,
    auto_link,
    confirm,
    explain_pair,
    identity_model,
    propose_matches,
    reject,
    resolve_pair,
    review_list,
    score_pair,
    unlink,
    unsure,
)

__all__ = [
    "IdentityConflict",
    "IdentityPolicy",
    "MatchModel",
    "MatchProposal",
    "RecordTable",
    "Scored",
    "Term",
    "auto_link",
    "confirm",
    "explain_pair",
    "identity_model",
    "load_identity_policy",
    "match_records",
    "parse_identity_policy",
    "propose_matches",
    "reject",
    "resolve_pair",
    "review_list",
    "score_pair",
    "score_pairs",
    "unlink",
    "unsure",
]
