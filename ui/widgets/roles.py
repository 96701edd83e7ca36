"""The item data roles of the app's item models, listed once so that no two collide."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

#: The index a Qt item model receives (a plain or a persistent one).
ModelIndex = QModelIndex | QPersistentModelIndex

_USER = Qt.ItemDataRole.UserRole
#: The value a column sorts by (numbers sort as numbers).
SortRole = _USER + 1
#: The row object behind a record table's row.
RowRole = _USER + 2
#: The site id of a row of the sites table.
SiteIdRole = _USER + 3
#: The :class:`jitrisk.errors.Problem` of a row of the problems table.
ProblemRole = _USER + 4
#: ``"error"`` or ``"warning"``: what the problems filter keys on.
SeverityRole = _USER + 5
#: The name of a what-if in the what-if list.
NameRole = _USER + 6
