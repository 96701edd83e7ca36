"""The main window's parts, one responsibility each.

Mixed into :class:`ui.main_window.MainWindow`; they share its attributes.
"""
