"""Text a spreadsheet would run as a formula, made inert wherever the project writes CSV, XLSX or
Parquet for people to open (OWASP "CSV injection"): a cell that starts with `=`, `+`, `-`, `@`,
a tab or a carriage return gets a leading apostrophe, which Excel and LibreOffice show as text.
Only text is touched; numbers stay numbers."""

from __future__ import annotations

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str | None) -> str | None:
    if text is None or not text.startswith(FORMULA_STARTS):
        return text
    return "'" + text


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of `frame` with formula-like cells neutralised."""
    starts = "^[" + "".join("\\-" if c == "-" else c for c in FORMULA_STARTS) + "]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(starts))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.Utf8
    )


def neutralise_sql(column: str) -> str:
    """A DuckDB SQL expression for the quoted column `column`, formula-like text neutralised."""
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)
    return f"case when left({column}, 1) in ({starts}) then chr(39) || {column} else {column} end"
