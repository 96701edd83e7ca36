"""What the parts of the main window share: titles, file filters, waits, error sentences."""

from __future__ import annotations

APP_TITLE = "jitrisk"


FILE_FILTER = "Excel workbooks (*.xlsx *.xlsm);;All files (*)"


#: Seconds to wait for a running chunk when the window closes.
CLOSE_WAIT_MS = 15_000


#: After a run the map and the Compare view follow the Results view's two charts, each
#: in its own event-loop turn: polled every POLL_MS, for at most RESULTS_WAIT_MS.
POLL_MS = 25


RESULTS_WAIT_MS = 3_000


PNG_FILTER = "PNG image (*.png)"


def _sentence(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."
