"""Group-, place- and school-level suggestions: catalogue, matching, contraindications, decisions."""

from .catalogue import CONTRAINDICATIONS, Catalogue, Entry, Preconditions, load_catalogue, parse_catalogue
from .decisions import DECISIONS, decision_history, decisions_for
from .matching import Match, Target, match
from .record import decide
from .suggest import DecisionView, Suggestion, because, parse_suggestion_id, suggest, suggestion_id, targets

__all__ = [
    "CONTRAINDICATIONS",
    "DECISIONS",
    "Catalogue",
    "DecisionView",
    "Entry",
    "Match",
    "Preconditions",
    "Suggestion",
    "Target",
    "because",
    "decide",
    "decision_history",
    "decisions_for",
    "load_catalogue",
    "match",
    "parse_catalogue",
    "parse_suggestion_id",
    "suggest",
    "suggestion_id",
    "targets",
]
