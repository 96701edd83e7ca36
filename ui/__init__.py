"""The jitrisk desktop application (PySide6). The numerical core is :mod:`jitrisk`.

Layers, as in napari/superqt and Orange3:

* Qt-free logic the views show and tests call directly: :mod:`ui.logic.tasks` (load a
  workbook, run a simulation), :mod:`ui.logic.kpis`, :mod:`ui.logic.formatting`,
  :mod:`ui.logic.messages` (every user-facing message), :mod:`ui.logic.state`,
  :mod:`ui.logic.outline`, :mod:`ui.figures.results` (matplotlib figures, reused by reports).
* The adapter: :mod:`ui.workers.worker` runs a task on a thread pool and turns its
  progress, result, error and cancellation into signals.
* Views: :mod:`ui.main_window` composes :mod:`ui.views.summary`,
  :mod:`ui.views.results`, :mod:`ui.panels.problems` and :mod:`ui.panels.run`.

Start with ``python main.py [WORKBOOK]``; render the views with
``python -m ui.screenshots OUTDIR``.
"""
