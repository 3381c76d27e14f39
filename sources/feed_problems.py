"""The one vocabulary of every file feed's validator (plain Python, no Dagster): a `Problem` found
in a file, and the `Validation` of one file that the drop processor (pipelines/lib/drops.py) and the
`borlange validate` commands read.

    validation.ok           the file may load
    validation.payload      what a valid file loads (the validation itself unless the feed says so)
    validation.problems     every Problem, in the order the file reads
    validation.report()     the readable report: every problem, or what a valid file holds
    validation.to_dict()    the same as a JSON document (`borlange validate FEED --json`)

A Problem says WHERE (file, sheet, row, column) and WHAT (the value as written, a stable
snake_case code, the message, what was expected). Every feed writes its message in English; a feed
that speaks Swedish too (partner submissions) adds it as `message_sv`. Everything a Problem holds
may come from a hostile file: it is stored with control and invisible characters escaped, so no
report, log or terminal that shows it can be driven by it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import KW_ONLY, dataclass

from sources.file_limits import is_safe_text, printable

_TEXT_FIELDS = (
    "file",
    "sheet",
    "column",
    "column_letter",
    "value",
    "message",
    "message_sv",
    "expected",
)


@dataclass(frozen=True)
class Problem:
    file: str  # the file's name as sent
    row: int | None  # 1-based: the Excel row, the CSV line, the Parquet row
    column: str | None  # the heading (or field) as written, or as the contract names it
    value: str | None  # the offending value as written
    code: str  # stable snake_case, one per kind of problem
    message: str  # in English: what is wrong and how to fix it
    expected: str = ""  # what would have been right ("svenska / English" where both are spoken)
    _: KW_ONLY
    sheet: str | None = None  # the sheet (or a CSV's section) of a workbook-shaped feed
    column_letter: str | None = None  # the column as Excel shows it, where the feed names it
    message_sv: str | None = None  # the message in Swedish, where the feed speaks it

    def __post_init__(self):
        # File names, headings and values come from the file: escape what could drive a terminal.
        for name in _TEXT_FIELDS:
            text = getattr(self, name)
            if isinstance(text, str) and not is_safe_text(text):
                object.__setattr__(self, name, printable(text))

    def to_dict(self) -> dict:
        """The same keys for every feed, in reading order: where, what, why."""
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "column_letter": self.column_letter,
            "value": self.value,
            "code": self.code,
            "message": self.message,
            "message_sv": self.message_sv,
            "expected": self.expected,
        }


class Validation(ABC):
    """One file's validation, as every feed's validator returns it (each feed's own result, e.g.
    the energy feed's `Feed`, is one): what the drop processor loads or quarantines, and what
    `borlange validate` prints."""

    file: str
    problems: list[Problem]

    @property
    @abstractmethod
    def ok(self) -> bool:
        """The file may load (a feed may let warnings, e.g. a meter file's gaps, through)."""

    @property
    def payload(self) -> object:
        """What the feed's loader writes for a valid file: by default the validation itself."""
        return self

    @abstractmethod
    def report(self) -> str:
        """The readable report: every problem on its lines, or a short summary of a valid file."""

    @abstractmethod
    def to_dict(self) -> dict:
        """The report as a JSON document: the file, `ok`, what it holds and its problems."""
