"""Every message the application shows the planner, declared in one place.

As in Orange3's widgets (``class Error(OWWidget.Error): ... = Msg(...)``), a
message is a template with a level, a short title and a text that says what
happened and what to do. Views show a :class:`ShownMessage` produced by
:meth:`Msg.format`; tests compare against the declarations here, so wording is
changed in exactly one place. Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning", "info"]


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``plural(1, "error")`` → ``'1 error'``; ``plural(3, "error")`` → ``'3 errors'``."""
    word = noun if count == 1 else (plural_form or noun + "s")
    return f"{count:,} {word}"


@dataclass(frozen=True)
class ShownMessage:
    """A message ready to show: its key (to replace or clear it), level, title and text."""

    key: str
    level: Level
    title: str
    text: str


@dataclass(frozen=True)
class Msg:
    """A message template; ``text`` holds ``{placeholders}`` filled by :meth:`format`."""

    key: str
    level: Level
    title: str
    text: str

    def format(self, **values: object) -> ShownMessage:
        return ShownMessage(
            self.key, self.level, self.title.format(**values), self.text.format(**values)
        )


class Errors:
    """Something the planner asked for could not be done."""

    workbook_invalid = Msg(
        "workbook_invalid",
        "error",
        "The workbook cannot be simulated yet",
        "{name} has {errors}. The Problems panel lists each one with its cell; fix them in "
        "Excel, save, and press F5 to reload.",
    )
    not_a_workbook = Msg(
        "not_a_workbook",
        "error",
        "Not an Excel workbook",
        "{name} is not an .xlsx file. jitrisk opens Excel workbooks (.xlsx); in Excel use "
        "File > Save As > Excel Workbook.",
    )
    open_failed = Msg(
        "open_failed",
        "error",
        "The workbook could not be opened",
        "{name} could not be read: {reason}",
    )
    file_missing = Msg(
        "file_missing",
        "error",
        "The workbook is no longer there",
        "{name} was moved or deleted. Open it from its new place with File > Open.",
    )
    run_failed = Msg(
        "run_failed",
        "error",
        "The simulation stopped",
        "{reason} Check the run settings and the workbook, then run again.",
    )
    template_failed = Msg(
        "template_failed",
        "error",
        "The template could not be written",
        "{reason} Choose another folder or file name.",
    )
    whatif_failed = Msg(
        "whatif_failed",
        "error",
        "The what-if could not be made",
        "{reason}",
    )
    save_refused = Msg(
        "save_refused",
        "error",
        "The opened workbook is never overwritten",
        "{name} is the workbook you opened. Save the scenarios to a copy with another name "
        "(the suggestion is {suggestion}).",
    )
    save_failed = Msg(
        "save_failed",
        "error",
        "The scenarios could not be saved",
        "{reason} Choose another folder or file name, or close the file in Excel.",
    )
    report_failed = Msg(
        "report_failed",
        "error",
        "The report could not be written",
        "{reason} Choose another folder or file name; a previous report was left as it was.",
    )
    fit_failed = Msg(
        "fit_failed",
        "error",
        "The delivery history could not be read",
        "{reason} Check the file, or save it again as CSV or Excel.",
    )
    snapshot_failed = Msg(
        "snapshot_failed",
        "error",
        "The snapshot could not be saved",
        "{reason} Choose another export folder (File > Export map as PNG… sets it).",
    )
    export_failed = Msg(
        "export_failed",
        "error",
        "The map could not be exported",
        "{reason} Choose another folder or file name.",
    )


class Warnings:
    """Worth knowing; nothing was refused."""

    workbook_warnings = Msg(
        "workbook_warnings",
        "warning",
        "Opened with warnings",
        "{name} opened with {warnings}; see the Problems panel. They do not stop a run.",
    )
    busy = Msg(
        "busy",
        "warning",
        "Busy",
        "{doing}: wait for it to finish or cancel it (Esc), then {action}.",
    )
    dropped_files = Msg(
        "dropped_files",
        "warning",
        "Only Excel workbooks can be opened",
        "{name} is not an .xlsx workbook; drop an .xlsx file onto the window.",
    )
    whatifs_dropped = Msg(
        "whatifs_dropped",
        "warning",
        "Some what-if scenarios no longer apply",
        "After the reload they could not be applied to the workbook and were removed: {details}",
    )
    autosave_unreadable = Msg(
        "autosave_unreadable",
        "warning",
        "An autosave could not be read",
        "The what-if scenarios autosaved for {name} could not be read back ({reason}); it was "
        "set aside and nothing was restored.",
    )
    autosave_partly = Msg(
        "autosave_partly",
        "warning",
        "Some autosaved what-if scenarios no longer apply",
        "They could not be applied to the workbook as it is now and were left out: {details}",
    )
    autosave_failed = Msg(
        "autosave_failed",
        "warning",
        "What-if scenarios are not being autosaved",
        "{reason} Save the scenarios to a copy of the workbook to keep them.",
    )


class Infos:
    """Status worth a line in the message area."""

    autosave_found = Msg(
        "autosave_found",
        "info",
        "Unsaved what-if scenarios",
        "{name} has {scenarios} not saved in a workbook ({saved_at}){changed}. Restore or discard?",
    )
    autosave_elsewhere = Msg(
        "autosave_elsewhere",
        "info",
        "Unsaved what-if scenarios",
        "{name} has {scenarios} not saved in a workbook. Open it to restore or discard.",
    )

    file_changed = Msg(
        "file_changed",
        "info",
        "The workbook changed on disk",
        "{name} was saved since it was opened. Reload it to see the changes.",
    )
    run_cancelled = Msg(
        "run_cancelled",
        "info",
        "Simulation cancelled",
        "{detail}. The results shown are from the previous run, if any.",
    )
    results_stale = Msg(
        "results_stale",
        "info",
        "Results are from an earlier version of the workbook",
        "The workbook was reloaded after this run; run again to update the results.",
    )
    scenarios_saved = Msg(
        "scenarios_saved",
        "info",
        "Scenarios saved to a copy",
        "{name} holds the workbook with {scenarios}. {source} is unchanged; open the copy "
        "to carry on from it.",
    )
    fit_needs_workbook = Msg(
        "fit_needs_workbook",
        "info",
        "Open a valid workbook first",
        "The history is fitted to the sites and lanes of the open workbook.",
    )
    snapshot_saved = Msg(
        "snapshot_saved",
        "info",
        "Snapshot saved",
        "{png} and {pptx} (one slide) were written in {folder}.",
    )
    map_exported = Msg(
        "map_exported",
        "info",
        "Map exported",
        "{name} was written ({width} x {height} pixels).",
    )
    report_written = Msg(
        "report_written",
        "info",
        "Report exported",
        "{name} was written: the run of scenario {scenario} with its buffer curve, risk "
        "ranking and safety-stock plan.",
    )
    report_busy = Msg(
        "report_busy",
        "info",
        "A report is being written",
        "Wait for {name} to be finished (the status bar shows how far it is), then export again.",
    )
    report_cancelled = Msg(
        "report_cancelled",
        "info",
        "Report cancelled",
        "{name} was not written; nothing was left behind.",
    )
    report_needs_run = Msg(
        "report_needs_run",
        "info",
        "Run a simulation first",
        "The report shows the numbers of the run on screen: press Run (Ctrl+R), then export.",
    )
    template_written = Msg(
        "template_written",
        "info",
        "New workbook created",
        "{name} holds the empty template. Fill it in Excel (the Guide sheet explains each "
        "column), save it, and press F5 to reload.",
    )


ALL_MESSAGES: tuple[Msg, ...] = tuple(
    value
    for group in (Errors, Warnings, Infos)
    for value in vars(group).values()
    if isinstance(value, Msg)
)
