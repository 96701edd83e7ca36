"""Versions for the About box and for bug reports. Qt is only asked for its version string."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

import jitrisk


def _dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> dict[str, str]:
    """Name → version of jitrisk, Python, Qt and the numerical stack."""
    from PySide6 import QtCore

    return {
        "jitrisk": jitrisk.__version__,
        "Python": platform.python_version(),
        "Qt": QtCore.qVersion(),
        "PySide6": _dist_version("PySide6"),
        "NumPy": _dist_version("numpy"),
        "pandas": _dist_version("pandas"),
        "numba": _dist_version("numba"),
        "matplotlib": _dist_version("matplotlib"),
        "networkx": _dist_version("networkx"),
        "openpyxl": _dist_version("openpyxl"),
    }


def version_lines() -> list[str]:
    return [f"{k}: {v}" for k, v in versions().items()] + [f"Platform: {sys.platform}"]


def about_html() -> str:
    """Text of Help > About."""
    rows = "".join(
        f"<tr><td style='padding-right:16px'>{k}</td><td>{v}</td></tr>"
        for k, v in versions().items()
    )
    return (
        "<h2 style='margin-bottom:2px'>jitrisk</h2>"
        "<p>Supply-chain disruption risk for lean, just-in-time networks: how likely "
        "customers are to run short, what it costs, and where buffers help.</p>"
        f"<table>{rows}</table>"
    )
