"""The jitrisk desktop application (PySide6). The numerical core is :mod:`jitrisk`.

Layers, as in napari/superqt and Orange3:

* Qt-free logic the views show and tests call directly: :mod:`ui.tasks` (load a
  workbook, run a simulation), :mod:`ui.kpis`, :mod:`ui.formatting`,
  :mod:`ui.messages` (every user-facing message), :mod:`ui.state`,
  :mod:`ui.outline`, :mod:`ui.charts` (matplotlib figures, reused by reports).
* The adapter: :mod:`ui.workers` runs a task on a thread pool and turns its
  progress, result, error and cancellation into signals.
* Views: :mod:`ui.main_window` composes :mod:`ui.summary_view`,
  :mod:`ui.results_view`, :mod:`ui.problems_dock` and :mod:`ui.run_panel`.

Start with ``python main.py [WORKBOOK]``; render the views with
``python -m ui.screenshots OUTDIR``.
"""
