"""The ``jitrisk`` command line: one module per family of commands over :mod:`.common`."""

from .commands import main

__all__ = ["main"]
