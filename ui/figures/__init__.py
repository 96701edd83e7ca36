"""Matplotlib figures of the app, free of Qt: each function fills a given Figure, drawn off the
GUI thread by ui.widgets.chart_image and reused by exports.
"""
