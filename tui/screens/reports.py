"""Reports and audit: generate any report to a file (with progress), read the audit log, verify the chain."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from peermap.engine import AuditEvent, PeermapError, VerifyResult, today

from ..safe import describe, join, plain
from ..workspace import Loaded

if TYPE_CHECKING:
    from peermap.engine import ImportReport
from peermap.engine import visible_lines

from .base import PeermapScreen

KINDS = (
    ("Audit: who was mapped and why", "audit"),
    ("Labelling risk", "labelling"),
    ("Subject access (one young person)", "subject"),
    ("Map", "map"),
)
FORMATS = (("HTML (printable)", "html"), ("Markdown", "md"), ("JSON", "json"))
LOG_LIMIT = 1000


def reports_folder() -> Path:
    """Where the TUI offers to save reports: PEERMAP_REPORTS, else ~/peermap-reports (never the working folder,
    which may hold the database and other people's files)."""
    return Path(os.environ.get("PEERMAP_REPORTS") or Path.home() / "peermap-reports").expanduser()


class ReportsScreen(PeermapScreen):
    """Two tabs: generating reports, and the audit log with its verification."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "generate", "Generate"),
        Binding("v", "verify", "Verify chain"),
        Binding("l", "show_log", "Audit log"),
        Binding("n", "show_reports", "Reports"),
        Binding("d", "show_import", "Import data"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._path_edited = False

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="reports-tabs", initial="tab-reports"):
            with TabPane("Reports", id="tab-reports"), Vertical(id="report-form"):
                with Horizontal(classes="field-row"):
                    yield Label("Report", classes="field-label")
                    yield Select(KINDS, value="audit", allow_blank=False, id="report-kind", compact=True)
                with Horizontal(classes="field-row"):
                    yield Label("Format", classes="field-label")
                    yield Select(FORMATS, value="html", allow_blank=False, id="report-format", compact=True)
                with Horizontal(classes="field-row", id="subject-row"):
                    yield Label("Young person (id)", classes="field-label")
                    yield Input(placeholder="id, e.g. YP-0007", id="report-subject", compact=True)
                with Horizontal(classes="field-row"):
                    yield Label("Recipient (optional)", classes="field-label")
                    yield Input(
                        placeholder="who it is for: kept in the audit trail",
                        id="report-recipient",
                        compact=True,
                    )
                with Horizontal(classes="field-row"):
                    yield Label("Write to", classes="field-label")
                    yield Input(id="report-path", compact=True)
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Generate (g)", variant="primary", id="generate")
                yield ProgressBar(id="report-progress", show_eta=False)
                yield Static(id="report-result")
            with TabPane("Import data", id="tab-import"), Vertical(id="import-form"):
                yield Static(
                    plain(
                        "A folder of <table>.csv files, one <table>.csv, a .json or an .xlsx workbook. Everything "
                        "is checked before anything is written: one problem and nothing is imported.",
                        "italic",
                    ),
                    classes="hint",
                )
                with Horizontal(classes="field-row"):
                    yield Label("Import from", classes="field-label")
                    yield Input(placeholder="path to a folder or file", id="import-path", compact=True)
                yield Checkbox(
                    "Keep items shared outside a valid agreement in quarantine (not scored) instead of refusing",
                    id="import-quarantine",
                    compact=True,
                )
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Import", variant="primary", id="import")
                yield ProgressBar(id="import-progress", show_eta=False)
                with VerticalScroll(id="import-scroll"):
                    yield Static(id="import-result")
            with TabPane("Audit log", id="tab-log"), Vertical(id="audit-pane"):
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Verify chain (v)", variant="primary", id="verify")
                    yield Button("Refresh", id="refresh-log")
                yield Static(id="verify-result", classes="banner")
                yield DataTable(id="audit-log", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#report-progress").display = False
        self.query_one("#import-progress").display = False
        self._kind_changed()
        table = self.query_one("#audit-log", DataTable)
        for label in ("Seq", "At (UTC)", "Actor", "Role", "Action", "Details"):
            table.add_column(label)
        self.load_log()

    def show_loaded(self, loaded: Loaded) -> None:
        ids = [s.person_id for s in loaded.shown]
        self.query_one("#report-subject", Input).suggester = SuggestFromList(ids, case_sensitive=False)

    # -- reports -------------------------------------------------------------------------------

    def _default_path(self) -> Path:
        kind = self.query_one("#report-kind", Select).value
        fmt = self.query_one("#report-format", Select).value
        subject = self.query_one("#report-subject", Input).value.strip()
        stem = f"peermap-{kind}-{subject}" if kind == "subject" and subject else f"peermap-{kind}"
        return reports_folder() / f"{stem}-{today().isoformat()}.{fmt}"

    @on(Select.Changed, "#report-kind")
    @on(Select.Changed, "#report-format")
    @on(Input.Changed, "#report-subject")
    def _kind_changed(self) -> None:
        subject = self.query_one("#report-kind", Select).value == "subject"
        self.query_one("#subject-row").display = subject
        if not self._path_edited:
            with self.prevent(Input.Changed):
                self.query_one("#report-path", Input).value = str(self._default_path())

    @on(Input.Changed, "#report-path")
    def _path_changed(self) -> None:
        self._path_edited = True

    @on(Button.Pressed, "#generate")
    def _generate_pressed(self) -> None:
        self.action_generate()

    def action_generate(self) -> None:
        self.action_show_reports()
        kind = str(self.query_one("#report-kind", Select).value)
        fmt = str(self.query_one("#report-format", Select).value)
        subject = self.query_one("#report-subject", Input).value.strip() or None
        raw_path = self.query_one("#report-path", Input).value.strip()
        if kind == "subject" and not subject:
            self.query_one("#report-result", Static).update(
                plain("A subject-access report needs the young person's id.", "bold red")
            )
            return
        if not raw_path:
            self.query_one("#report-result", Static).update(plain("Say where to write the report.", "bold red"))
            return
        bar = self.query_one("#report-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.query_one("#generate", Button).disabled = True
        self.query_one("#report-result", Static).update(plain(f"Generating the {kind} report…", "italic"))
        recipient = self.query_one("#report-recipient", Input).value.strip() or None
        self._generate(kind, fmt, Path(raw_path).expanduser(), subject, recipient)

    @work(thread=True, exclusive=True, group="report")
    def _generate(self, kind: str, fmt: str, out: Path, subject: str | None, recipient: str | None) -> None:
        try:
            written = self.workspace.report(self.loaded, kind, fmt, out, person=subject, recipient=recipient)
        except Exception as exc:  # refusals, full disks and faults are all shown, the UI stays up
            self.app.call_from_thread(self._report_done, None, describe(exc))
            return
        self.app.call_from_thread(self._report_done, written, "")

    def _report_done(self, written: Path | None, error: str) -> None:
        self.query_one("#generate", Button).disabled = False
        bar = self.query_one("#report-progress", ProgressBar)
        result = self.query_one("#report-result", Static)
        if written is None:
            bar.display = False
            result.update(join(("Report not written: ", "bold red"), error))
            return
        bar.update(total=1.0, progress=1.0)
        result.update(join(("Written: ", "bold green"), str(written)))
        self.notify(f"Report written to {written}", markup=False)
        self.load_log()

    # -- import --------------------------------------------------------------------------------

    def action_show_import(self) -> None:
        self.query_one("#reports-tabs", TabbedContent).active = "tab-import"
        self.query_one("#import-path", Input).focus()

    @on(Button.Pressed, "#import")
    @on(Input.Submitted, "#import-path")
    def _import_pressed(self) -> None:
        raw = self.query_one("#import-path", Input).value.strip()
        result = self.query_one("#import-result", Static)
        if not raw:
            result.update(plain("Say which folder or file to import.", "bold red"))
            return
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.query_one("#import", Button).disabled = True
        result.update(plain(f"Checking {raw}…", "italic"))
        self._import(Path(raw).expanduser(), self.query_one("#import-quarantine", Checkbox).value)

    @work(thread=True, exclusive=True, group="import")
    def _import(self, path: Path, quarantine: bool) -> None:
        bar = self.query_one("#import-progress", ProgressBar)

        def progress(done: int, total: int, stage: str) -> None:
            self.app.call_from_thread(bar.update, total=max(total, 1), progress=done)

        try:
            report = self.workspace.import_path(path, quarantine=quarantine, progress=progress)
        except Exception as exc:  # a rejected import lists every problem; nothing was written
            self.app.call_from_thread(self._import_done, None, exc)
            return
        self.app.call_from_thread(self._import_done, report, None)

    def _import_done(self, report: ImportReport | None, error: Exception | None) -> None:
        self.query_one("#import", Button).disabled = False
        bar = self.query_one("#import-progress", ProgressBar)
        result = self.query_one("#import-result", Static)
        if report is None:
            bar.display = False
            result.update(join(("Nothing imported. ", "bold red"), describe(error or Exception("unknown"))))
            return
        bar.update(total=1, progress=1)
        if report.unchanged:
            result.update(plain("Every row was already stored: nothing new to import.", "bold"))
            return
        text = join(("Imported ", "bold green"), f"(batch {report.import_id}): ")
        text.append(visible_lines(", ".join(f"{n} {table}" for table, n in sorted(report.counts.items()) if n)))
        for warning in report.warnings[:20]:
            text.append("\n• warning: ", style="yellow")
            text.append(visible_lines(warning))
        if len(report.warnings) > 20:
            text.append(f"\n… and {len(report.warnings) - 20} more warnings", style="dim")
        result.update(text)
        self.notify("Import done: recomputing the map…", markup=False)
        self.peermap.reload_map()
        self.load_log()

    # -- audit ---------------------------------------------------------------------------------

    def action_show_log(self) -> None:
        self.query_one("#reports-tabs", TabbedContent).active = "tab-log"

    def action_show_reports(self) -> None:
        self.query_one("#reports-tabs", TabbedContent).active = "tab-reports"

    @on(Button.Pressed, "#refresh-log")
    def _refresh_pressed(self) -> None:
        self.load_log()

    @on(Button.Pressed, "#verify")
    def _verify_pressed(self) -> None:
        self.action_verify()

    @work(thread=True, exclusive=True, group="audit-log")
    def load_log(self) -> None:
        try:
            rows = self.workspace.audit_events(limit=LOG_LIMIT)
        except PeermapError as exc:
            self.app.call_from_thread(self._log_refused, str(exc))
            return
        self.app.call_from_thread(self._fill_log, rows)

    def _log_refused(self, message: str) -> None:
        table = self.query_one("#audit-log", DataTable)
        table.clear()
        table.display = False
        self.query_one("#verify-result", Static).update(
            join(
                ("The audit log is not open to your role. ", "bold"),
                message,
                ("\nYou can still verify that the chain is intact (v).", "dim"),
            )
        )

    def _fill_log(self, rows: list[AuditEvent]) -> None:
        table = self.query_one("#audit-log", DataTable)
        table.display = True
        table.clear()
        for ev in reversed(rows):
            table.add_row(
                plain(str(ev.seq)),
                plain(ev.at[:19].replace("T", " ")),
                plain(ev.actor),
                plain(ev.role),
                plain(ev.action),
                plain(ev.payload[:200]),
                key=str(ev.seq),
            )
        table.border_title = f"Audit log: newest first ({len(rows)} shown)"

    def action_verify(self) -> None:
        self.action_show_log()
        self.query_one("#verify-result", Static).update(plain("Verifying the audit chain…", "italic"))
        self._verify()

    @work(thread=True, exclusive=True, group="verify")
    def _verify(self) -> None:
        result = self.workspace.verify()
        self.app.call_from_thread(self._verified, result)

    def _verified(self, result: VerifyResult) -> None:
        box = self.query_one("#verify-result", Static)
        ok = result.ok
        if ok:
            box.update(join(("✔ Audit chain intact: ", "bold green"), f"{result.checked} events checked."))
        else:
            box.update(
                join(
                    ("✘ Audit chain broken at event ", "bold red"),
                    (str(result.first_bad_seq), "bold red"),
                    ": ",
                    result.problem or "",
                    ("\n", ""),
                    f"{result.checked} events before it verified.",
                )
            )
        box.add_class("-ok" if ok else "-bad")
        box.remove_class("-bad" if ok else "-ok")
