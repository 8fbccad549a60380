"""peermap's engine: the headless domain that the CLI, the TUI and the reports call.

The names in ``__all__`` are the public API; everything else is internal. Heavier parts (scoring, groups,
identity matching) load on first use, so a CLI command pays only for what it runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .access import Actor, Role, require
from .errors import (
    ImportRejected,
    InputProblem,
    NotFound,
    PeermapError,
    PermissionDenied,
    PolicyError,
    SchemaVersionError,
)
from .store import Store

if TYPE_CHECKING:
    from .audit import VerifyResult, events, log_event, verify
    from .demo import build_demo, generate
    from .groups import find_groups
    from .identity import confirm, propose_matches, reject, unlink, unsure
    from .ingest import ImportReport, import_path, import_tables, json_schema, summary
    from .interventions import decide, decisions_for
    from .interventions.suggest import Suggestion, suggest
    from .labelling import run_checks
    from .map_model import Group, MapResult, PersonStatus, Reason, ShownLink
    from .mapping import compute_map, map_json
    from .policy import InclusionPolicy, policy_history, policy_in_force, preview_policy, set_policy
    from .rules import explain_link, explain_person, load_rule_pack, score_links
    from .snapshot import Snapshot, load_snapshot

_LAZY: dict[str, str] = {
    "VerifyResult": "audit", "events": "audit", "log_event": "audit", "verify": "audit",
    "build_demo": "demo", "generate": "demo",
    "find_groups": "groups",
    "confirm": "identity", "propose_matches": "identity", "reject": "identity", "unlink": "identity",
    "unsure": "identity",
    "ImportReport": "ingest", "import_path": "ingest", "import_tables": "ingest", "json_schema": "ingest",
    "summary": "ingest",
    "Suggestion": "interventions", "decide": "interventions", "decisions_for": "interventions",
    "suggest": "interventions",
    "run_checks": "labelling",
    "Group": "map_model", "MapResult": "map_model", "PersonStatus": "map_model", "Reason": "map_model",
    "ShownLink": "map_model",
    "compute_map": "mapping", "map_json": "mapping",
    "InclusionPolicy": "policy", "policy_history": "policy", "policy_in_force": "policy",
    "preview_policy": "policy", "set_policy": "policy",
    "explain_link": "rules", "explain_person": "rules", "load_rule_pack": "rules", "score_links": "rules",
    "Snapshot": "snapshot", "load_snapshot": "snapshot",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'peermap.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "Actor",
    "Group",
    "ImportRejected",
    "ImportReport",
    "InclusionPolicy",
    "InputProblem",
    "MapResult",
    "NotFound",
    "PeermapError",
    "PermissionDenied",
    "PersonStatus",
    "PolicyError",
    "Reason",
    "Role",
    "SchemaVersionError",
    "ShownLink",
    "Snapshot",
    "Store",
    "Suggestion",
    "VerifyResult",
    "build_demo",
    "compute_map",
    "confirm",
    "decide",
    "decisions_for",
    "events",
    "explain_link",
    "explain_person",
    "find_groups",
    "generate",
    "import_path",
    "import_tables",
    "json_schema",
    "load_rule_pack",
    "load_snapshot",
    "log_event",
    "map_json",
    "policy_history",
    "policy_in_force",
    "preview_policy",
    "propose_matches",
    "reject",
    "require",
    "run_checks",
    "score_links",
    "set_policy",
    "suggest",
    "summary",
    "unlink",
    "unsure",
    "verify",
]
