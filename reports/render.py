"""Rendering report contexts: HTML (autoescaped, self-contained), Markdown (record text escaped) and JSON.

Record text is data. In HTML, Jinja2 autoescaping makes markup inert; in Markdown every value is escaped so
it cannot open a link, emphasis, table cell or raw HTML; in both, text that a spreadsheet would read as a
formula (leading = + - @) gets a leading apostrophe when the report is pasted into one.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from peermap.engine import FORMULA_START as FORMULA_START
from peermap.engine import neutralise_formula as neutralise_formula

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
CSS_FILE = HERE / "report.css"
EMPTY = "—"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def md_escape(text: str) -> str:
    """Escape Markdown and raw HTML in one value; newlines become spaces so table rows stay whole."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _html_finalize(value: Any) -> Any:
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, str) and not isinstance(value, Markup):
        return neutralise_formula(value)
    return value


def _md_finalize(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return md_escape(neutralise_formula(str(value)))


def _conf(value: float | None) -> str:
    return EMPTY if value is None else f"{float(value):.2f}"


def _pct(value: float | None) -> str:
    return EMPTY if value is None else f"{float(value) * 100:.0f}%"


def _ratio(value: float | None) -> str:
    return EMPTY if value is None else f"{float(value):.2f}×"


def _yesno(value: Any) -> str:
    return "yes" if value else "no"


def _humanise(value: str | None) -> str:
    return EMPTY if not value else str(value).replace("_", " ")


def _env(autoescape: bool, finalize: Any) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=autoescape,
        finalize=finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(conf=_conf, pct=_pct, ratio=_ratio, yesno=_yesno, human=_humanise)
    return env


@lru_cache(maxsize=1)
def html_env() -> Environment:
    """Autoescaping environment for *.html.j2."""
    return _env(True, _html_finalize)


@lru_cache(maxsize=1)
def md_env() -> Environment:
    """Markdown environment: every value is escaped by `finalize`, so templates need no per-value filters."""
    return _env(False, _md_finalize)


@lru_cache(maxsize=1)
def css() -> Markup:
    return Markup(CSS_FILE.read_text(encoding="utf-8"))


_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def _cell(value: Any) -> str:
    """One table cell's text, escaped exactly as Jinja2 autoescaping does (str.translate is faster)."""
    if value is None:
        return EMPTY
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return neutralise_formula(str(value)).translate(_HTML_ESCAPES)


def evidence_rows() -> Any:
    """Audit-report evidence rows as HTML, escaped like the templates' cells.

    Written in Python rather than Jinja because an audit of a thousand young people has tens of thousands of
    rows; an item listed under both young people of a link is rendered once.
    """
    done: dict[int, str] = {}

    def rows(items: list[dict[str, Any]]) -> Markup:
        out = []
        for e in items:
            html = done.get(id(e))
            if html is None:
                used = "yes" if e["used"] else f'<span class="unused">no: {_cell(e["unused_reason"])}</span>'
                refutes = " (refutes)" if e["polarity"] == "refutes" else ""
                html = (
                    f'<tr><td class="id">{_cell(e["id"])}{refutes}</td><td>{_cell(e["agency"])}</td>'
                    f"<td>{_cell(e['grading'])}</td><td>{_cell(e['observed'])}</td><td>{_cell(e['recorded'])}</td>"
                    f'<td>{_cell(e["agreement"])}</td><td>{used}</td><td class="rules">{_cell(e["rules"])}</td>'
                    f'<td class="note">{_cell(e["note"])}</td></tr>\n'
                )
                done[id(e)] = html
            out.append(html)
        return Markup("".join(out))

    return rows


def render_html(kind: str, context: dict[str, Any], svg: str | None = None) -> str:
    """A self-contained, printable HTML page (inline CSS, inline SVG map when given)."""
    template = html_env().get_template(f"{kind}.html.j2")
    return template.render(ctx=context, css=css(), map_svg=Markup(svg) if svg else None, evidence_rows=evidence_rows())


def render_md(kind: str, context: dict[str, Any]) -> str:
    return md_env().get_template(f"{kind}.md.j2").render(ctx=context)


def render_json(context: dict[str, Any]) -> str:
    return json.dumps(context, ensure_ascii=False, separators=(",", ":")) + "\n"
