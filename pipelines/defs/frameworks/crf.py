"""A kommun's GPC inventory as an XLSX laid out like the CDP / GCoM Common Reporting Framework
sector table: one row per CRF sub-sector, one column (and a notation-key column) per scope.

    write_crf_workbook(con, kommun_kod, year, path) -> CrfSummary

Layout: the emission-inventory table of the GCoM Common Global Reporting Framework (CRF, 2018):
sectors Stationary energy, Transportation, Waste, IPPU, AFOLU and "Generation of grid-supplied
energy" (reported, not added: its use is scope 2), with scopes 1, 2 and 3 and the GPC notation keys.
Figures come from marts.fct_gpc_inventory (GPC v1.1); the GPC references behind each CRF row are in
CRF_ROWS, the one home of that correspondence. The CRF splits commercial and institutional
buildings, the GPC (and SMHI) do not: they are one row here, said so in its note. Every text cell is
neutralised against formula injection (sources/formula_safety.py). Plain Python: no Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from sources.formula_safety import neutralise

SHEET = "CRF emissions inventory"
DETAIL_SHEET = "GPC sub-sectors"
KEYS_SHEET = "Notation keys"
LAYOUT = (
    "GCoM Common Global Reporting Framework (CRF, 2018): emission inventory by sector and scope; "
    "sub-sectors and notation keys of the GPC v1.1 (2021). The CRF's version number was not "
    "verified offline."
)
HEADER = (
    "CRF sector",
    "CRF sub-sector",
    "GPC references",
    "Scope 1 (t CO2e)",
    "Scope 1 notation key",
    "Scope 2 (t CO2e)",
    "Scope 2 notation key",
    "Scope 3 (t CO2e)",
    "Scope 3 notation key",
    "Total (t CO2e)",
    "Note",
)
HEADER_ROW = 8  # the table's header row (1-based); the preamble is above it

# (CRF sector, CRF sub-sector, GPC sub-sector prefixes (sector.sub-sector), note)
CRF_ROWS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("Stationary energy", "Residential buildings", ("I.1",), ""),
    (
        "Stationary energy",
        "Commercial and institutional buildings and facilities",
        ("I.2",),
        "The CRF's commercial and institutional rows are one in the GPC and in SMHI's sectors",
    ),
    (
        "Stationary energy",
        "Manufacturing industries and construction",
        ("I.3",),
        "SMHI's industry includes its process emissions (IPPU industrial processes: IE)",
    ),
    ("Stationary energy", "Energy industries", ("I.4.1", "I.4.2", "I.4.3"), ""),
    ("Stationary energy", "Agriculture, forestry and fishing activities", ("I.5",), ""),
    ("Stationary energy", "Non-specified sources", ("I.6",), ""),
    ("Stationary energy", "Fugitive emissions from coal", ("I.7",), ""),
    ("Stationary energy", "Fugitive emissions from oil and natural gas systems", ("I.8",), ""),
    ("Transportation", "On-road", ("II.1",), ""),
    ("Transportation", "Rail", ("II.2",), ""),
    ("Transportation", "Waterborne navigation", ("II.3",), ""),
    ("Transportation", "Aviation", ("II.4",), ""),
    ("Transportation", "Off-road", ("II.5",), ""),
    ("Waste", "Solid waste disposal", ("III.1",), ""),
    ("Waste", "Biological treatment", ("III.2",), ""),
    ("Waste", "Incineration and open burning", ("III.3",), ""),
    ("Waste", "Wastewater", ("III.4",), ""),
    ("IPPU", "Industrial processes", ("IV.1",), ""),
    ("IPPU", "Product use", ("IV.2",), ""),
    ("AFOLU", "Livestock", ("V.1",), ""),
    ("AFOLU", "Land", ("V.2",), ""),
    ("AFOLU", "Other AFOLU", ("V.3",), ""),
    (
        "Generation of grid-supplied energy",
        "Energy generation supplied to the grid",
        ("I.4.4",),
        "Reported, not added to BASIC/BASIC+: the energy's use is counted in scope 2",
    ),
)

NOTATION_KEYS = (
    ("NO", "Not occurring", "The activity or process does not occur or exist within the city."),
    (
        "IE",
        "Included elsewhere",
        "Emissions are estimated and presented in another category of the inventory; "
        "that category is named in the note.",
    ),
    (
        "NE",
        "Not estimated",
        "Emissions occur but have not been estimated or reported; the reason is given.",
    ),
    (
        "C",
        "Confidential",
        "Emissions that could disclose confidential information and so are not reported.",
    ),
)


class CrfExportError(ValueError):
    """Nothing to export: the kommun or year is not in the inventory."""


@dataclass(frozen=True)
class CrfSummary:
    path: Path
    kommun_kod: str
    year: int
    rows: int
    basic_t: float
    basic_plus_t: float
    territorial_t: float


def crf_file_name(kommun_kod: str, year: int) -> str:
    return f"gpc_crf_{kommun_kod}_{year}.xlsx"


def _matches(ref: str, prefix: str) -> bool:
    return ref == prefix or ref.startswith(prefix + ".")


def latest_year(con, kommun_kod: str) -> int:
    """The newest inventory year of the kommun (the default when no year is asked for)."""
    (year,) = con.execute(
        "select max(year) from marts.fct_gpc_inventory where kommun_kod = ?", [kommun_kod]
    ).fetchone()
    if year is None:
        raise CrfExportError(
            f"no GPC inventory for kommun {kommun_kod!r} (marts.fct_gpc_inventory)"
        )
    return int(year)


def inventory_rows(con, kommun_kod: str, year: int) -> list[dict]:
    cur = con.execute(
        """
        select gpc_ref, gpc_sector, gpc_subsector, scope, in_basic, in_basic_plus, tonnes,
               notation_key, source, vintage, is_synthetic
        from marts.fct_gpc_inventory where kommun_kod = ? and year = ? order by gpc_ref""",
        [kommun_kod, year],
    )
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    for row in rows:
        row["tonnes"] = None if row["tonnes"] is None else float(row["tonnes"])
    return rows


def crf_table(rows: list[dict]) -> list[tuple]:
    """The CRF rows: per scope the summed tonnes, or the notation keys when no GPC row has one."""
    table = []
    for sector, subsector, prefixes, note in CRF_ROWS:
        members = [r for r in rows if any(_matches(r["gpc_ref"], p) for p in prefixes)]
        cells: list = []
        total: float | None = None
        for scope in (1, 2, 3):
            scoped = [r for r in members if r["scope"] == scope]
            figures = [r["tonnes"] for r in scoped if r["tonnes"] is not None]
            keys = sorted(
                {r["notation_key"] for r in scoped if r["tonnes"] is None and r["notation_key"]}
            )
            if figures:
                cells += [sum(figures), ", ".join(keys) if keys else None]
                total = (total or 0.0) + sum(figures)
            else:
                cells += [
                    None,
                    ", ".join(keys) if keys else None,
                ]  # no GPC sub-sector for this scope
        refs = ", ".join(r["gpc_ref"] for r in members)
        table.append((sector, subsector, refs, *cells, total, note or None))
    return table


def write_crf_workbook(
    con, kommun_kod: str, year: int, path: Path, *, kommun_namn: str | None = None
) -> CrfSummary:
    rows = inventory_rows(con, kommun_kod, year)
    if not rows:
        raise CrfExportError(
            f"no GPC inventory for kommun {kommun_kod!r} in {year} (marts.fct_gpc_inventory)"
        )
    basic = sum(r["tonnes"] or 0 for r in rows if r["in_basic"])
    basic_plus = sum(r["tonnes"] or 0 for r in rows if r["in_basic_plus"])
    territorial = sum(r["tonnes"] or 0 for r in rows if r["scope"] == 1)
    vintages = sorted({str(r["vintage"]) for r in rows if r["vintage"] is not None})
    synthetic = any(r["is_synthetic"] for r in rows)

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    bold = Font(bold=True)
    preamble = [
        (f"GHG emission inventory, {kommun_namn or kommun_kod} (kommun {kommun_kod}), {year}",),
        ("Layout", LAYOUT),
        ("Unit", "t CO2e (GWP as in SMHI's Nationella emissionsdatabasen); scope 2 location-based"),
        (
            "Sources",
            "SMHI Nationella emissionsdatabasen; SCB TAB3654; Borlänge Energi (district heating); "
            "mapping: seed gpc_sector_mapping",
        ),
        ("Vintages", ", ".join(vintages)),
        (
            "Synthetic inputs",
            "yes: scope 2 uses the bundled SYNTHETIC SCB energy and energy-feed values"
            if synthetic
            else "no",
        ),
    ]
    for i, line in enumerate(preamble, start=1):
        for j, value in enumerate(line, start=1):
            ws.cell(row=i, column=j, value=neutralise(value))
    ws.cell(row=1, column=1).font = bold
    for j, name in enumerate(HEADER, start=1):
        ws.cell(row=HEADER_ROW, column=j, value=name).font = bold
    table = crf_table(rows)
    for i, values in enumerate(table, start=HEADER_ROW + 1):
        for j, value in enumerate(values, start=1):
            ws.cell(row=i, column=j, value=neutralise(value) if isinstance(value, str) else value)
    totals_row = HEADER_ROW + len(table) + 2
    for offset, (label, value) in enumerate(
        (
            ("BASIC total", basic),
            ("BASIC+ total", basic_plus),
            ("Territorial (scope 1) total, incl. grid-supplied generation", territorial),
        )
    ):
        ws.cell(row=totals_row + offset, column=1, value=label).font = bold
        ws.cell(row=totals_row + offset, column=10, value=value)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 48

    detail = wb.create_sheet(DETAIL_SHEET)
    columns = (
        "gpc_ref",
        "gpc_sector",
        "gpc_subsector",
        "scope",
        "in_basic",
        "in_basic_plus",
        "tonnes",
        "notation_key",
        "source",
        "vintage",
        "is_synthetic",
    )
    detail.append(list(columns))
    for r in rows:
        detail.append(
            [
                neutralise(v) if isinstance(v, str) else (str(v) if k == "vintage" and v else v)
                for k, v in ((c, r[c]) for c in columns)
            ]
        )
    keys = wb.create_sheet(KEYS_SHEET)
    keys.append(["key", "name", "definition (GPC v1.1, Table 2.1)"])
    for row in NOTATION_KEYS:
        keys.append(list(row))

    wb.properties.creator = "klimatneutrala-borlange-warehouse"
    wb.properties.created = wb.properties.modified = datetime(year, 12, 31, tzinfo=UTC).replace(
        tzinfo=None
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)  # a reader never sees half a workbook
    return CrfSummary(path, kommun_kod, year, len(table), basic, basic_plus, territorial)
