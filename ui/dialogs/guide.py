"""Help > Workbook guide: the workbook format explained, from :mod:`jitrisk.workbook.format`.

The same source feeds the template's Guide sheet, so the in-app guide and
the sheet never disagree. :func:`guide_html` is Qt-free.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QWidget

from jitrisk.workbook.format import FORMAT_VERSION, SETTING_SPECS, SHEETS
from jitrisk.workbook.template import DISTRIBUTION_GUIDE

from .text import TextDialog

_TABLE = "<table cellspacing='0' cellpadding='4' border='1' style='border-collapse:collapse'>"


def _row(cells: list[str], header: bool = False) -> str:
    tag = "th" if header else "td"
    style = " style='background:#eef1f5' align='left'" if header else " valign='top'"
    return "<tr>" + "".join(f"<{tag}{style}>{escape(c)}</{tag}>" for c in cells) + "</tr>"


def guide_html() -> str:
    """Every sheet and column, the settings and the distribution syntax, as HTML."""
    parts = [
        f"<h2>jitrisk workbook, format v{FORMAT_VERSION}</h2>",
        "<p>One sheet per kind of information. Row 1 of each sheet holds the column headers "
        "(keep them as they are); every following row is one record. Type values, not "
        "formulas. File &gt; New from template writes an empty workbook with this guide as "
        "its Guide sheet.</p>",
        "<p>Required sheets: "
        + ", ".join(s.name for s in SHEETS if s.required)
        + ". Optional: "
        + ", ".join(s.name for s in SHEETS if not s.required)
        + ".</p>",
    ]
    for sheet in SHEETS:
        req = "required" if sheet.required else "optional"
        parts.append(f"<h3>{escape(sheet.name)} <small>({req})</small></h3>")
        parts.append(f"<p>{escape(sheet.purpose)}</p>")
        parts.append(
            _TABLE + _row(["Column", "Required", "Unit", "Blank means", "Meaning"], header=True)
        )
        for col in sheet.columns:
            meaning = col.help + (f" Allowed: {', '.join(col.choices)}." if col.choices else "")
            parts.append(
                _row([col.name, "yes" if col.required else "no", col.unit, col.default, meaning])
            )
        parts.append("</table>")
    parts.append("<h3>Settings keys</h3>")
    parts.append(_TABLE + _row(["Key", "Type", "Default", "Meaning"], header=True))
    for spec in SETTING_SPECS:
        parts.append(_row([spec.key, spec.kind, str(spec.default), spec.help]))
    parts.append("</table>")
    parts.append(
        "<h3>Distributions</h3><p>Used by lead_time_days, daily_demand and "
        "duration_days: a number, or one distribution written as name(numbers).</p>"
    )
    parts.append(_TABLE + _row(["Name", "Example", "Meaning"], header=True))
    for name, example, meaning in DISTRIBUTION_GUIDE:
        parts.append(_row([name, example, meaning]))
    parts.append("</table>")
    return "\n".join(parts)


class GuideDialog(TextDialog):
    """A resizable, non-modal window showing :func:`guide_html`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Workbook guide", guide_html(), (900, 700), parent)
