"""Lead times and disruption profiles learnt from a delivery history (issue 19).

:func:`read_table` reads the ERP export, :func:`fit_history` fits the
workbook's lanes and suppliers to it, :func:`write_fitted_workbook` writes the
fitted values into a copy of the workbook. ``jitrisk fit`` runs all three.
"""

from .columns import KEYS, guess_columns, parse_columns_option, resolve_columns
from .fit import HistoryFit, fit_history
from .reading import HistoryProblem, RawTable, read_table
from .workbook_out import write_fitted_workbook

__all__ = [
    "KEYS",
    "HistoryFit",
    "HistoryProblem",
    "RawTable",
    "fit_history",
    "guess_columns",
    "parse_columns_option",
    "read_table",
    "resolve_columns",
    "write_fitted_workbook",
]
