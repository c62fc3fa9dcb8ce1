"""Spreadsheet-safe CSV cells, as OWASP's CSV-injection guidance recommends.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
spreadsheet programs; such a cell gets a leading single quote, which makes it plain text. The
decision is by value, not by column: a plain number (`-5.00`, `+12`, `7.5 %`) cannot run as a
formula and stays as it is, so negative amounts remain numbers. Imports undo the quote
(`restore_cell`), so an exported file re-imports unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?: ?%)?")


def safe_cell(value: Any) -> Any:
    """`value` as a spreadsheet will show it, never as a formula it would run."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


def safe_dataset(dataset):
    """Neutralise every row of a tablib Dataset in place (headers are the server's own)."""
    for index, row in enumerate(dataset):
        dataset[index] = safe_row(row)
    return dataset


def restore_cell(value: Any) -> Any:
    """Undo `safe_cell` on a cell read back from a file this server wrote."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


class FormulaSafeResource:
    """Mixin for django-import-export resources: cells neutralised on export, restored on import."""

    def export_field(self, field, instance, **kwargs):
        return safe_cell(super().export_field(field, instance, **kwargs))

    def import_row(self, row, instance_loader, **kwargs):
        for column, value in row.items():
            row[column] = restore_cell(value)
        return super().import_row(row, instance_loader, **kwargs)
