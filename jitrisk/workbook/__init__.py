"""Excel in and out: the workbook format, reading and checking, template and writer.

Reading is a pipeline of stages, each its own module: the file
(:mod:`.package`), its sheets and cells (:mod:`.sheets`, :mod:`.cells`), the
records built from them (:mod:`.records`), the checks across records
(:mod:`.validation`) and the scenario overrides (:mod:`.overrides`);
:mod:`.reader` runs them in turn. Every problem is collected with its sheet,
row and column.
"""

from .reader import ValidationReport, load_network, validate_workbook

__all__ = ["ValidationReport", "load_network", "validate_workbook"]
