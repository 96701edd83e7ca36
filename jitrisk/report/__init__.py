"""Reports for meetings: an Excel workbook with native charts, a PDF brief, a PowerPoint deck.

:func:`collect` runs every analysis once into a :class:`ReportData`; the
writers lay it out. :func:`write_report` picks the format from the file name::

    from jitrisk import load_network
    from jitrisk.report import collect, write_report

    net = load_network("examples/automotive.xlsx")
    data = collect(net, "all", trials=1000, seed=1)
    write_report(data, "report.xlsx", input_path="examples/automotive.xlsx")

The charts (:mod:`jitrisk.report.figures`) are plain matplotlib functions the
desktop app shares. Nothing here imports Qt.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import JitriskError
from .build import Provenance, ReportData, ScenarioReport, collect

PathLike = str | os.PathLike[str]

#: Report formats by file extension.
FORMATS = {".xlsx": "excel", ".pdf": "pdf", ".pptx": "pptx"}


def report_format(path: PathLike) -> str:
    """``"excel"``, ``"pdf"`` or ``"pptx"`` from the file's extension.

    Raises
    ------
    JitriskError
        Any other extension.
    """
    ext = Path(path).suffix.lower()
    try:
        return FORMATS[ext]
    except KeyError:
        raise JitriskError(
            f"cannot tell the report format of {Path(path).name!r}: "
            "the file name must end in .xlsx, .pdf or .pptx"
        ) from None


def write_report(data: ReportData, path: PathLike, input_path: PathLike | None = None) -> Path:
    """Write ``data`` as an Excel workbook, PDF brief or PowerPoint deck, by extension.

    The write is atomic and refuses to replace ``input_path``.
    """
    kind = report_format(path)
    if kind == "excel":
        from .excel import write_excel_report

        return write_excel_report(data, path, input_path)
    if kind == "pdf":
        from .pdf import write_pdf_report

        return write_pdf_report(data, path, input_path)
    from .pptx import write_pptx_report

    return write_pptx_report(data, path, input_path)


__all__ = [
    "FORMATS",
    "Provenance",
    "ReportData",
    "ScenarioReport",
    "collect",
    "report_format",
    "write_report",
]
