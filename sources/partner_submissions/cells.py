"""One cell against one column of the schema: its typed value, or the problem with it.

Excel cells carry a type (number, text, date, formula); CSV cells are text in the CSV contract
(decimal comma). A number in an Excel cell must BE a number: text that looks like one is
reported (never guessed at), a formula is reported (never evaluated), and a unit in the cell
or a foreign decimal mark is reported with how to write it.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from sources.file_limits import foreign_digits, is_safe_text
from sources.partner_submissions import problems as P
from sources.partner_submissions.schema import FIRST_YEAR, START_YEAR_HORIZON, Column, Kind
from sources.partner_submissions.tables import RawCell, normalise

# Swedish: 12 | 12,5 | 1 234,5 (space, no-break space or narrow no-break space between groups),
# in the digits 0-9 only: `\d` takes every script's digits, and int() and float() read them.
_SV_NUMBER = re.compile(r"^[+-]?([0-9]+|[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+)(,[0-9]+)?$")
_POINT_NUMBER = re.compile(r"^[+-]?[0-9]+\.[0-9]+$|^[+-]?[0-9]+$")
_COMMA_NUMBER = re.compile(r"^[+-]?([0-9]+|[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+),[0-9]+$")
_WITH_UNIT = re.compile(
    r"^[+-]?[0-9\s\u00a0\u202f.,]*[0-9][0-9\s\u00a0\u202f.,]*\s*([a-zåäö]+)\b", re.IGNORECASE
)
_EMAIL = re.compile(r"^[^@\s;,<>()\"']+@[^@\s;,<>()\"']+\.[^@\s;,<>()\"'.]{2,}$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

Result = tuple[object, "P.Msg | None"]


def parse_cell(column: Column, cell: RawCell, *, csv: bool, today: date) -> Result:
    """(value, None) for a good or empty-optional cell; (None, problem) otherwise."""
    if cell.formula:
        return None, P.formula(str(cell.value))
    if cell.empty:
        return None, (P.missing_value(column) if column.required else None)
    if column.kind in (Kind.TEXT, Kind.EMAIL):
        return _text(column, cell.value)
    if column.kind in (Kind.CHOICE, Kind.YES_NO):
        return _choice(column, cell.value)
    if column.kind is Kind.DATE:
        return _date(cell.value, today)
    return _number(column, cell.value, csv=csv, today=today)


def as_text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if value.time() == datetime.min.time()
            else value.isoformat(sep=" ")
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _text(column: Column, value: object) -> Result:
    text = as_text(value)
    if not is_safe_text(text, line_breaks=True):  # an escape sequence or a right-to-left override
        return None, P.unsafe_text(text)
    if column.kind is Kind.EMAIL and not _EMAIL.match(text):
        return None, P.invalid_email(text)
    return text, None


def _choice(column: Column, value: object) -> Result:
    text = as_text(value)
    for allowed in column.allowed:
        if normalise(allowed) == normalise(text):
            return (allowed == "ja" if column.kind is Kind.YES_NO else allowed), None
    return None, P.invalid_choice(text, column)


def _date(value: object, today: date) -> Result:
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    else:
        text = as_text(value)
        if foreign_digits(text):
            return None, P.non_ascii_digits(text)
        try:
            if not _ISO_DATE.match(text):
                raise ValueError(text)
            parsed = date.fromisoformat(text)
        except ValueError:
            return None, P.invalid_date(text)
    if parsed > today:
        return None, P.date_in_future(parsed.isoformat(), today.isoformat())
    return parsed, None


def _number(column: Column, value: object, *, csv: bool, today: date) -> Result:
    if (
        column.allowed
        and isinstance(value, str)
        and value.strip() in {str(a) for a in column.allowed}
    ):
        return int(value.strip()), None  # a number picked from a list (scope) may arrive as text
    if isinstance(value, str) and foreign_digits(value):
        return None, P.non_ascii_digits(as_text(value))
    number, problem = (_csv_number if csv else _xlsx_number)(column, value)
    if problem is not None:
        return None, problem
    shown = as_text(value)
    if column.kind in (Kind.YEAR, Kind.INTEGER):
        if not float(number).is_integer():
            return None, P.not_a_whole_number(shown)
        number = int(number)
        if column.allowed and number not in column.allowed:
            return None, P.invalid_choice(shown, column)
    if column.kind is Kind.YEAR:
        return _year(column, number, today)
    if column.minimum is not None and number < column.minimum:
        return None, P.negative_value(number, column)
    return (float(number) if column.kind is Kind.DECIMAL else number), None


def _year(column: Column, year: int, today: date) -> Result:
    if year < FIRST_YEAR:
        return None, P.year_before_1990(year)
    if not column.future_years and year > today.year:
        return None, P.year_in_future(year, today.year)
    if column.future_years and year > today.year + START_YEAR_HORIZON:
        return None, P.year_out_of_range(year, today.year + START_YEAR_HORIZON)
    return year, None


def _xlsx_number(column: Column, value: object) -> tuple[float | None, P.Msg | None]:
    if isinstance(value, bool) or isinstance(value, (date, datetime)):
        return None, P.not_a_number(as_text(value))
    if isinstance(value, (int, float)):
        return (value, None) if is_finite(value) else (None, P.not_finite(as_text(value)))
    text = as_text(value)
    unit = _unit_problem(column, text)
    if unit is not None:
        return None, unit
    if _COMMA_NUMBER.match(text):
        return None, P.decimal_comma_in_xlsx(text)
    if _POINT_NUMBER.match(text):
        return None, P.number_as_text(text)
    return None, P.not_a_number(text)


def _csv_number(column: Column, value: object) -> tuple[float | None, P.Msg | None]:
    text = as_text(value)
    if text.startswith("="):
        return None, P.formula(text)
    unit = _unit_problem(column, text)
    if unit is not None:
        return None, unit
    if _SV_NUMBER.match(text):
        digits = re.sub(r"[ \u00a0\u202f]", "", text).replace(",", ".")
        if not is_finite(float(digits)):  # 400 digits are a number, but not a float
            return None, P.not_finite(text)
        return (float(digits) if "." in digits else int(digits)), None
    if _POINT_NUMBER.match(text) and "." in text:
        return None, P.decimal_point_in_csv(text)
    return None, P.not_a_number(text)


def is_finite(number: int | float) -> bool:
    """A number a float can hold: not NaN, not infinite, not an integer beyond 1.8e308."""
    try:
        return math.isfinite(number)
    except OverflowError:
        return False


def unit_word(text: str) -> str | None:
    """The unit word a text carries that the template does NOT use (kg, kWh, tkr, ...), if any."""
    for token in re.findall(r"[a-zåäö]+", normalise(text)):
        if token in P.UNIT_CONVERSIONS:
            return token
    return None


def unit_family(column: Column) -> str | None:
    """'t' for t CO2e / t CO2 / t CO2e/år, 'MWh', 'SEK'."""
    if not column.unit:
        return None
    return "t" if column.unit.startswith("t ") else column.unit


def _unit_problem(column: Column, text: str) -> P.Msg | None:
    match = _WITH_UNIT.match(text)
    if not match:
        return None
    word = unit_word(match.group(1))
    if word and P.UNIT_CONVERSIONS[word][0] == unit_family(column):
        return P.wrong_unit(column, word, "value", text)
    return None
