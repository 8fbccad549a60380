"""Exports of the shown map for other tools: GraphML and GEXF (Gephi), CSV (spreadsheets), ANX (i2 Analyst's Notebook).

An export holds exactly what `peermap map` shows under the policy in force (or `as_at`): included and greyed
young people, and the places and incidents at the ends of the links drawn. A left-out young person never
appears, not even by id, whoever exports; inside free text (reasons, place names, incident summaries) their
names and ids go through the one redactor (engine.redaction). Greyed people carry `status = greyed`.

`export_rows` builds the rows (pure, from a MapResult), `export_graph` the networkx graph, `render_export`
the bytes of one format, and `export_map` writes one file through `audited_output` (action "export", with
`person_ids`, `recipient` and `purpose`): the event commits first and the file appears after it.
Formats are documented in docs/exports.md.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import networkx as nx

from .access import Actor, Role, require
from .errors import PeermapError
from .map_model import MapResult
from .mapping import compute_map
from .naming import naming_payload
from .outputs import audited_output
from .redaction import Redactor
from .report_data import young_person_records
from .store import Store
from .text_safety import neutralise_formula, visible
from .vocab import ObjectKind

EXPORT_FORMATS = ("graphml", "gexf", "csv", "anx")
NODE_FIELDS = ("id", "kind", "label", "status", "confidence", "reasons", "roles", "detail")
LINK_FIELDS = ("source", "target", "relation", "confidence", "uncertainty", "band")
# a fixed time for the zip entries, so the same map exports to the same bytes (the digest then means something)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ANX_ICONS = {"person": "Person", "location": "Place", "incident": "Event"}
ANX_ATTRIBUTES = ("kind", "status", "confidence", "reasons", "roles", "detail")  # of an entity
ANX_CLASSES = (*ANX_ATTRIBUTES, "uncertainty")  # every attribute used, of entities and links


@dataclass(frozen=True)
class ExportRows:
    """The shown map as two tables of plain strings and numbers (record text already redacted)."""

    nodes: list[dict[str, Any]]
    links: list[dict[str, Any]]

    @property
    def person_ids(self) -> list[str]:
        return sorted(n["id"] for n in self.nodes if n["kind"] == ObjectKind.PERSON.value)


@dataclass
class ExportResult:
    format: str
    path: Path
    digest: str
    person_ids: list[str]
    nodes: int
    links: int


def _roles_text(roles: dict[str, list[str]]) -> str:
    # harmed and harming stay separate words per incident: never merged into one role
    return "; ".join(f"{inc}: {', '.join(r)}" for inc, r in sorted(roles.items()))


def export_rows(result: MapResult, red: Redactor | None = None) -> ExportRows:
    """The nodes and links `peermap map --json` shows, each string of record text through the redactor."""
    red = red or Redactor(result)
    snap = result.snapshot
    shown = {st.person_id: st for st in result.shown_people()}
    people_ids = set(result.statuses)
    nodes: list[dict[str, Any]] = []
    for pid, st in shown.items():
        nodes.append(
            {
                "id": pid,
                "kind": ObjectKind.PERSON.value,
                "label": red.text(red.person(pid)) or "",
                "status": st.status,
                "confidence": round(st.confidence, 4),
                "reasons": " | ".join(red.text(r.text) or "" for r in st.reasons),
                "roles": red.text(_roles_text(st.roles)) or "",
                "detail": "",
            }
        )
    links: list[dict[str, Any]] = []
    others: set[str] = set()
    for sl in result.shown_links:
        ends = (sl.source, sl.target)
        # the same filter as map_json: a person at either end must be shown; a left-out id never travels
        if any(e in people_ids and e not in shown for e in ends):
            continue
        others.update(e for e in ends if e not in shown)
        links.append({k: v for k, v in sl.to_json().items() if k in LINK_FIELDS})
    for node_id in sorted(others):
        kind, label = red.node(node_id)
        if kind == ObjectKind.PERSON.value:
            raise PeermapError(f"export: link end {node_id!r} is a young person not on the map")
        detail = ""
        if node_id in snap.locations:
            loc = snap.locations[node_id]
            detail = "; ".join(x for x in (loc.kind, loc.area, "place of concern" if loc.of_concern else None) if x)
        elif node_id in snap.incidents:
            detail = snap.incidents[node_id].summary or ""
        nodes.append(
            {
                "id": node_id,
                "kind": kind,
                "label": red.text(label) or "",
                "status": "",
                "confidence": "",
                "reasons": "",
                "roles": "",
                "detail": red.text(detail) or "",
            }
        )
    return ExportRows(nodes, links)


def export_graph(rows: ExportRows) -> nx.MultiGraph:
    """The rows as an undirected multigraph (two people can be linked by more than one relation)."""
    g = nx.MultiGraph()
    for n in rows.nodes:
        # XML 1.0 cannot hold control characters: they are written as visible escapes (\\x1b)
        # an empty field is left out, not written as "": GEXF and GraphML type each attribute once (a place has
        # no confidence, and "" is not a number)
        attrs = {k: visible(v) if isinstance(v, str) else v for k, v in n.items() if k != "id" and v != ""}
        g.add_node(n["id"], **attrs)
    for i, link in enumerate(rows.links):
        g.add_edge(link["source"], link["target"], key=f"l{i}", **{k: link[k] for k in LINK_FIELDS[2:]})
    return g


def _csv_table(fields: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(fields)
    for row in rows:
        w.writerow([neutralise_formula(v) if isinstance(v, str) else v for v in (row[f] for f in fields)])
    return buf.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8 names correctly


def _csv_zip(rows: ExportRows) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        tables = (
            ("nodes.csv", _csv_table(NODE_FIELDS, rows.nodes)),
            ("links.csv", _csv_table(LINK_FIELDS, rows.links)),
        )
        for name, data in tables:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def _anx(rows: ExportRows, result: MapResult) -> bytes:
    """i2 Analyst's Notebook chart XML (the structure is in docs/exports.md)."""
    chart = ET.Element("Chart", {"Rigorous": "true", "IdReferenceLinking": "false"})
    classes = ET.SubElement(chart, "AttributeClassCollection")
    for name in ANX_CLASSES:
        ET.SubElement(classes, "AttributeClass", {"Name": name, "Type": "AttText", "Visible": "true"})
    strengths = ET.SubElement(chart, "StrengthCollection")
    ET.SubElement(strengths, "Strength", {"Name": "solid", "DotStyle": "DotStyleSolid"})
    ET.SubElement(strengths, "Strength", {"Name": "dashed", "DotStyle": "DotStyleDashed"})
    items = ET.SubElement(chart, "ChartItemCollection")
    entity_of: dict[str, str] = {}
    for i, n in enumerate(rows.nodes):
        entity_of[n["id"]] = f"E{i + 1}"
        item = ET.SubElement(items, "ChartItem", {"Label": visible(n["label"]), "Description": visible(n["reasons"])})
        end = ET.SubElement(item, "End")
        ent = ET.SubElement(end, "Entity", {"EntityId": entity_of[n["id"]], "Identity": visible(n["id"])})
        icon = ET.SubElement(ent, "Icon")
        ET.SubElement(icon, "IconStyle", {"Type": ANX_ICONS[n["kind"]]})
        # a greyed person keeps status = greyed as an attribute (and in the label's description via reasons)
        attrs = ET.SubElement(item, "AttributeCollection")
        for name in ANX_ATTRIBUTES:
            value = n[name]
            if value != "":
                ET.SubElement(attrs, "Attribute", {"AttributeClass": name, "Value": visible(str(value))})
    for i, link in enumerate(rows.links):
        item = ET.SubElement(
            items, "ChartItem", {"Label": link["relation"], "Description": f"confidence {link['confidence']}"}
        )
        ET.SubElement(
            item,
            "Link",
            {
                "LinkId": f"L{i + 1}",
                "End1Id": entity_of[link["source"]],
                "End2Id": entity_of[link["target"]],
            },
        ).append(ET.Element("LinkStyle", {"Strength": link["band"], "ArrowStyle": "ArrowNone"}))
        attrs = ET.SubElement(item, "AttributeCollection")
        for name in ("confidence", "uncertainty"):
            ET.SubElement(attrs, "Attribute", {"AttributeClass": name, "Value": str(link[name])})
    summary = ET.SubElement(chart, "Summary")
    ET.SubElement(summary, "Title").text = f"peermap map as at {result.as_at.isoformat()}"
    ET.SubElement(
        summary, "Comments"
    ).text = f"policy version {result.policy.version}; left-out young people are not in this chart"
    ET.indent(chart)
    return bytes(ET.tostring(chart, encoding="utf-8", xml_declaration=True))  # bytes, as the encoding is given


def render_export(fmt: str, rows: ExportRows, result: MapResult) -> bytes:
    """The bytes of one export format."""
    if fmt == "csv":
        return _csv_zip(rows)
    if fmt == "anx":
        return _anx(rows, result)
    graph = export_graph(rows)
    graph.graph["as_at"] = result.as_at.isoformat()
    graph.graph["policy_version"] = result.policy.version
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, buf, encoding="utf-8")
    elif fmt == "gexf":
        nx.write_gexf(graph, buf, encoding="utf-8")
    else:
        raise PeermapError(f"unknown export format {fmt!r}; use one of: {' | '.join(EXPORT_FORMATS)}")
    return buf.getvalue()


def export_map(
    store: Store,
    actor: Actor,
    fmt: str,
    out: Path | str,
    *,
    recipient: str,
    purpose: str,
    as_at: date | None = None,
    force: bool = False,
) -> ExportResult:
    """Write the shown map to `out` in `fmt`, recorded in the audit trail before the file appears."""
    if fmt not in EXPORT_FORMATS:
        raise PeermapError(f"unknown export format {fmt!r}; use one of: {' | '.join(EXPORT_FORMATS)}")
    require(actor, Role.PRACTITIONER, Role.PANEL, Role.AUDITOR, to="export the map")
    if not recipient.strip():
        raise PeermapError("--recipient is required: say who receives this export (it is recorded)")
    if not purpose.strip():
        raise PeermapError("--purpose is required: say why the map leaves peermap (it is recorded)")
    with audited_output(store, actor, "export", out, force=force) as pending:
        result = compute_map(store, as_at)
        # every agency record of a left-out young person is redacted, not only the representative
        red = Redactor(result, young_person_records(store).values())
        rows = export_rows(result, red)
        data = render_export(fmt, rows, result)
        event = pending.write(
            data,
            naming_payload(
                actor,
                rows.person_ids,
                recipient,
                format=fmt,
                purpose=purpose.strip(),
                as_at=result.as_at.isoformat(),
                policy_version=result.policy.version,
                nodes=len(rows.nodes),
                links=len(rows.links),
                left_out_count=result.left_out_count,
                audit_head={"seq": pending.head[0], "hash": pending.head[1]},
            ),
        )
        assert pending.path is not None and pending.digest is not None and event is not None
    return ExportResult(fmt, pending.path, pending.digest, rows.person_ids, len(rows.nodes), len(rows.links))
