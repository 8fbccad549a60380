"""The evidence-confidence rules engine: grading scales, rule packs, opinion algebra, scoring, traces."""

from ..grading import Grading, GradingError, Scheme, parse_grading
from .links import LinkTable
from .opinion import Opinion, averaging_fuse, cumulative_fuse
from .pack import RulePack, load_rule_pack, parse_rule_pack, rule_pack_json_schema
from .scoring import ItemScores, Status, score_items, score_links
from .trace import (
    LinkExplanation,
    PersonLink,
    RelationTrace,
    explain_evidence,
    explain_link,
    explain_person,
    reference_link_opinions,
)

__all__ = [
    "Grading",
    "GradingError",
    "ItemScores",
    "LinkExplanation",
    "LinkTable",
    "Opinion",
    "PersonLink",
    "RelationTrace",
    "RulePack",
    "Scheme",
    "Status",
    "averaging_fuse",
    "cumulative_fuse",
    "explain_evidence",
    "explain_link",
    "explain_person",
    "load_rule_pack",
    "parse_grading",
    "parse_rule_pack",
    "reference_link_opinions",
    "rule_pack_json_schema",
    "score_items",
    "score_links",
]
