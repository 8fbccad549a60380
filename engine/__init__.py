"""peermap's engine: the headless domain that the CLI, the TUI and the reports call.

The public API is written once, as the imports below, each in the re-export form ``from .module import Name as
Name``. Code outside ``engine/`` imports only these names (``from peermap.engine import X``; an import-linter
contract in pyproject.toml enforces it). To publish a name, add one import line:

- at the top, if it is cheap and nearly every command needs it (errors, access, the store);
- otherwise inside the ``if TYPE_CHECKING:`` block. Type checkers read those lines as ordinary imports; at run
  time the same lines are read once (with ``ast``) into a name -> module table, and the module loads on first
  use of the name, so a CLI command pays only for what it runs (``peermap --help`` stays near one second).

``__all__`` is derived from the same lines, so the list, the lazy table and the type checker's view cannot drift.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from .access import Actor as Actor
from .access import Role as Role
from .access import require as require
from .access import role_separation as role_separation
from .db_faults import fault_message as fault_message
from .db_faults import settle as settle
from .errors import DatabaseBusy as DatabaseBusy
from .errors import DatabaseFault as DatabaseFault
from .errors import ImportRejected as ImportRejected
from .errors import InputProblem as InputProblem
from .errors import NotFound as NotFound
from .errors import OutputRefused as OutputRefused
from .errors import PeermapError as PeermapError
from .errors import PermissionDenied as PermissionDenied
from .errors import PolicyConflict as PolicyConflict
from .errors import PolicyError as PolicyError
from .errors import SchemaVersionError as SchemaVersionError
from .store import Store as Store
from .store import resolve_url as resolve_url
from .text_safety import FORMULA_START as FORMULA_START
from .text_safety import neutralise_formula as neutralise_formula
from .text_safety import visible as visible
from .text_safety import visible_lines as visible_lines

if TYPE_CHECKING:
    from .admin import UsersReport as UsersReport
    from .admin import admin_check as admin_check
    from .admin import admin_grant as admin_grant
    from .admin import admin_init as admin_init
    from .admin import admin_revoke as admin_revoke
    from .admin import admin_users as admin_users
    from .ages import age_on as age_on
    from .ages import age_text as age_text
    from .ages import years_between as years_between
    from .audit import VerifyResult as VerifyResult
    from .audit import current_head as current_head
    from .audit import events as events
    from .audit import log_event as log_event
    from .audit import verify as verify
    from .breaches import BreachRecord as BreachRecord
    from .breaches import breach_register as breach_register
    from .breaches import list_breaches as list_breaches
    from .breaches import record_breach as record_breach
    from .checkpoint import checkpoint_key_id as checkpoint_key_id
    from .checkpoint import checkpoint_keygen as checkpoint_keygen
    from .checkpoint import sign_checkpoint as sign_checkpoint
    from .checkpoint import verify_with_checkpoints as verify_with_checkpoints
    from .clock import as_utc as as_utc
    from .clock import now as now
    from .clock import today as today
    from .demo import DemoBorough as DemoBorough
    from .demo import build_demo as build_demo
    from .demo import generate as generate
    from .erasure import ErasureReport as ErasureReport
    from .erasure import erase_person as erase_person
    from .erasure import erasures as erasures
    from .export import EXPORT_FORMATS as EXPORT_FORMATS
    from .export import ExportResult as ExportResult
    from .export import export_graph as export_graph
    from .export import export_map as export_map
    from .export import export_rows as export_rows
    from .export import render_export as render_export
    from .fired_rules import RuleTracer as RuleTracer
    from .grading import GradingError as GradingError
    from .grading import parse_grading as parse_grading
    from .graph import map_graph as map_graph
    from .groups import PlaceProfile as PlaceProfile
    from .groups import find_groups as find_groups
    from .groups import place_profiles as place_profiles
    from .identity import auto_link as auto_link
    from .identity import confirm as confirm
    from .identity import explain_pair as explain_pair
    from .identity import propose_matches as propose_matches
    from .identity import reject as reject
    from .identity import resolve_pair as resolve_pair
    from .identity import review_list as review_list
    from .identity import unlink as unlink
    from .identity import unsure as unsure
    from .identity.explain import MATCH_FIELD_LABELS as MATCH_FIELD_LABELS
    from .identity_source import os_login as os_login
    from .identity_source import resolve_actor as resolve_actor
    from .ingest import ImportReport as ImportReport
    from .ingest import import_path as import_path
    from .ingest import import_tables as import_tables
    from .ingest import json_schema as json_schema
    from .ingest import summary as summary
    from .interventions import Suggestion as Suggestion
    from .interventions import decide as decide
    from .interventions import decisions_for as decisions_for
    from .interventions.suggest import suggest as suggest
    from .labelling import Baseline as Baseline
    from .labelling import LabellingReport as LabellingReport
    from .labelling import load_baseline as load_baseline
    from .labelling import load_language_guide as load_language_guide
    from .labelling import run_checks as run_checks
    from .map_model import Group as Group
    from .map_model import MapResult as MapResult
    from .map_model import PersonStatus as PersonStatus
    from .map_model import Reason as Reason
    from .map_model import ShownLink as ShownLink
    from .mapping import compute_map as compute_map
    from .mapping import map_json as map_json
    from .mapping import rule_pack_of as rule_pack_of
    from .models import DATA_TABLES as DATA_TABLES
    from .models import AuditEvent as AuditEvent
    from .models import Decision as Decision
    from .models import IdentityDecision as IdentityDecision
    from .models import ImportBatch as ImportBatch
    from .models import SharingAgreement as SharingAgreement
    from .models import YoungPerson as YoungPerson
    from .name_matching import ANOTHER as ANOTHER
    from .name_matching import NameMatcher as NameMatcher
    from .naming import NAMING_ACTIONS as NAMING_ACTIONS
    from .naming import log_naming_output as log_naming_output
    from .naming import naming_payload as naming_payload
    from .node_labels import NodeLabel as NodeLabel
    from .node_labels import node_label as node_label
    from .notices import OwedNotice as OwedNotice
    from .notices import notices_due as notices_due
    from .notices import produce_notice as produce_notice
    from .outputs import audited_output as audited_output
    from .outputs import check_output as check_output
    from .outputs import check_unaudited_output as check_unaudited_output
    from .outputs import write_atomic as write_atomic
    from .policy import INCIDENT_ROLES as INCIDENT_ROLES
    from .policy import PEER_RELATION_NAMES as PEER_RELATION_NAMES
    from .policy import POLICY_FIELDS as POLICY_FIELDS
    from .policy import InclusionPolicy as InclusionPolicy
    from .policy import PolicyRecord as PolicyRecord
    from .policy import default_policy_notes as default_policy_notes
    from .policy import policy_history as policy_history
    from .policy import policy_in_force as policy_in_force
    from .policy import set_policy as set_policy
    from .policy import validate_policy as validate_policy
    from .policy import with_changes as with_changes
    from .purpose import load_purposes as load_purposes
    from .purpose import parse_purpose as parse_purpose
    from .redaction import Redactor as Redactor
    from .redaction import may_see_left_out_ids as may_see_left_out_ids
    from .redaction import redact_json as redact_json
    from .report_data import EvidenceDetails as EvidenceDetails
    from .report_data import SubjectRows as SubjectRows
    from .report_data import audit_trail as audit_trail
    from .report_data import decisions_until as decisions_until
    from .report_data import event_payload as event_payload
    from .report_data import evidence_details as evidence_details
    from .report_data import policy_versions as policy_versions
    from .report_data import subject_rows as subject_rows
    from .report_data import young_person_records as young_person_records
    from .retention import RetentionDue as RetentionDue
    from .retention import load_retention_policy as load_retention_policy
    from .retention import retention_due as retention_due
    from .retention import retention_run as retention_run
    from .review_queue import identity_review as identity_review
    from .rules import PersonLink as PersonLink
    from .rules import explain_link as explain_link
    from .rules import explain_person as explain_person
    from .rules import load_rule_pack as load_rule_pack
    from .rules import score_links as score_links
    from .snapshot import Snapshot as Snapshot
    from .snapshot import from_day_number as from_day_number
    from .snapshot import load_snapshot as load_snapshot
    from .store_redaction import store_redactor as store_redactor
    from .vocab import RELATIONS as RELATIONS
    from .vocab import ObjectKind as ObjectKind
    from .vocab import Relation as Relation
    from .whatif import PolicyPreview as PolicyPreview
    from .whatif import preview_policy as preview_policy


def _public_imports() -> tuple[list[str], dict[str, str]]:
    """Read this file's own import lines: every published name, and the module of each lazily loaded one."""
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    names: list[str] = []
    lazy: dict[str, str] = {}
    for node in tree.body:
        in_block = isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for statement in node.body if isinstance(node, ast.If) and in_block else [node]:
            if not (isinstance(statement, ast.ImportFrom) and statement.level == 1):
                continue
            for alias in statement.names:
                if alias.asname != alias.name:  # only `from .m import X as X` publishes X
                    raise ImportError(f"peermap.engine: write the public import of {alias.name!r} as `X as X`")
                if alias.name in names:
                    raise ImportError(f"peermap.engine: {alias.name!r} is published twice")
                names.append(alias.name)
                if in_block:
                    lazy[alias.name] = f".{statement.module}"
    return names, lazy


__all__, _LAZY = _public_imports()

if not TYPE_CHECKING:  # hidden from type checkers, so an unpublished name is an error there, not an `Any`

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'peermap.engine' has no attribute {name!r}")
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
