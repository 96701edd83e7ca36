"""What outlives one view: autosave of what-ifs, the file watcher, recent files, stored
settings and presentation mode.
"""
