"""Generic widgets shared by the views: message bars, record tables, labelled inputs, the off-
thread chart image, icons.
"""
