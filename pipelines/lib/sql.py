"""Quoting for the few SQL statements built from settings or names (plain Python, no Dagster).

Values always go in as parameters where the engine takes them. Where it does not (a path in
DuckDB's `attach` or `copy ... to`, an option such as `storage_version`, a schema or table
name), the text goes through one of these two, which DuckDB and PostgreSQL read the same way:

- `quote_identifier`: the name in double quotes, a double quote inside it doubled;
- `quote_literal`: the text in single quotes, a single quote inside it doubled (`it's` becomes
  `'it''s'`). A backslash is an ordinary character in both (PostgreSQL's
  standard_conforming_strings is on by default).

NUL cannot appear in either engine's SQL text, so both refuse it instead of letting a driver
cut the statement short.
"""

from __future__ import annotations

import os
from os import PathLike


class UnsafeSQLText(ValueError):
    """A name or value that cannot be put into SQL text at all."""


def _text(value: str | PathLike, what: str) -> str:
    text = os.fspath(value) if isinstance(value, PathLike) else value
    if not isinstance(text, str):
        raise UnsafeSQLText(f"{what} must be text, not {type(value).__name__}")
    if "\x00" in text:
        raise UnsafeSQLText(f"{what} {text!r} contains a NUL character")
    return text


def quote_identifier(name: str) -> str:
    """A schema, table or column name as a quoted identifier (case and spaces kept)."""
    text = _text(name, "identifier")
    if not text:
        raise UnsafeSQLText("an identifier cannot be empty")
    return '"' + text.replace('"', '""') + '"'


def quote_literal(value: str | PathLike) -> str:
    """A string (or a path) as a SQL string literal."""
    return "'" + _text(value, "literal").replace("'", "''") + "'"


def qualified(*names: str) -> str:
    """`schema.table` (or any dotted name) with each part quoted."""
    return ".".join(quote_identifier(name) for name in names)
