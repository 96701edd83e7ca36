"""The version of jitrisk (one place: the package, the CLI, reports and workers read it)."""

__version__ = "0.1.0"
