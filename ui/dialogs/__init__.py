"""Dialogs: about, the error report, the workbook guide and the keyboard shortcuts."""
