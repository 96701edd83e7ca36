"""The jitrisk desktop application (PySide6). The numerical core is :mod:`jitrisk`.

Folders mirror what a planner sees, over a Qt-free layer (docs/ARCHITECTURE.md):

* :mod:`ui.logic` and :mod:`ui.figures`: what each view shows and why (requests,
  outcomes, headline sentences, table rows, messages) and its matplotlib figures;
  no Qt, so tests call them without a display.
* :mod:`ui.workers`: work off the GUI thread, and the rules that keep it safe.
* :mod:`ui.widgets`, :mod:`ui.dialogs`, :mod:`ui.session`: shared widgets, dialogs,
  and what outlives a view (autosave, file watcher, settings, presentation mode).
* :mod:`ui.views` (the tabs) and :mod:`ui.panels` (the docks), composed by
  :mod:`ui.main_window` with its parts in :mod:`ui.window`.

Start with ``python main.py [WORKBOOK]``; render the views with
``python -m ui.screenshots OUTDIR``.
"""
