"""The tabs of the main window: Summary, Map, Results, Compare, Buffers, Risk and Safety stock.
Each binds to the Qt-free ui.logic layer.
"""
