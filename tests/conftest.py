"""Shared fixtures: workbook builders (see :mod:`builders`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from builders import MakeWorkbook, Rows, valid_rows, write_workbook
from jitrisk.model.records import Network
from jitrisk.workbook.reader import load_network


@pytest.fixture
def make_workbook(tmp_path: Path) -> MakeWorkbook:
    """``make_workbook(sheets, name="book.xlsx")`` writes the sheets into ``tmp_path``."""
    counter = iter(range(1_000_000))

    def make(sheets: Mapping[str, Sequence[Sequence[Any]]], name: str | None = None) -> Path:
        return write_workbook(tmp_path / (name or f"book{next(counter)}.xlsx"), sheets)

    return make


@pytest.fixture
def rows() -> Rows:
    """A fresh copy of :func:`builders.valid_rows` to mutate."""
    return valid_rows()


@pytest.fixture
def valid_path(make_workbook: MakeWorkbook) -> Path:
    return make_workbook(valid_rows(), "valid.xlsx")


@pytest.fixture
def valid_network(valid_path: Path) -> Network:
    return load_network(valid_path)
