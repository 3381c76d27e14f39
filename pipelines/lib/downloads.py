"""The download set of a build (plain Python, no Dagster): every published mart as CSV, XLSX, JSON
and Parquet, described by a Frictionless Data Package (`datapackage.json`).

publish.py writes it into the staged build folder, beside the serving copy, before the one
`current` switch, so the downloads, the DuckDB copy and the Parquet files are always one build:

    serving/builds/<build_id>/downloads/<mart>.csv|.xlsx|.json|.parquet, datapackage.json

The marts are the serving copy's (publish.mart_tables: base tables of schema `marts`, never raw,
staging or intermediate, never `_`-prefixed bookkeeping) that dbt's manifest knows and that are
open data: a mart whose dbt config says `meta: {open_data: false}` (one that names people) stays
in the BI serving copy only. The API and the site serve exactly this set.

- CSV for a Swedish Excel: UTF-8 with a byte-order mark (so Excel reads å, ä, ö), `;` between
  fields and a decimal comma (Excel's Swedish list separator and decimal sign); dates ISO
  (2024-12-31), timestamps `2024-12-31 23:59:59` (UTC), booleans true/false, null empty.
- XLSX: one sheet; numbers, dates and booleans typed. Written as SpreadsheetML straight from
  DuckDB (each row's XML built in SQL, deflated by zipfile): the Python writers (openpyxl,
  xlsxwriter) take a minute for the 226,000 rows of fct_emissions, this takes seconds.
- JSON: an array of objects, one per row (DuckDB's writer).
- Parquet: the build's own Parquet export, hard-linked.
Text a spreadsheet would run as a formula is neutralised in every format
(sources/formula_safety.py).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb

from pipelines.lib.durable import fsync, fsync_dir, link_or_copy
from pipelines.lib.sql import qualified, quote_identifier, quote_literal
from sources.formula_safety import neutralise_sql

DOWNLOADS_DIR = "downloads"
DATAPACKAGE = "datapackage.json"
FORMATS = ("csv", "xlsx", "json", "parquet")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "parquet": "application/vnd.apache.parquet",
}
CSV_DELIMITER, CSV_DECIMAL = ";", ","
CSV_DIALECT = {"delimiter": CSV_DELIMITER, "header": True, "quoteChar": '"', "doubleQuote": True}
BOM = "\ufeff".encode()
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header
DATAPACKAGE_PROFILE = (
    "https://datapackage.org/profiles/2.0/datapackage.json"  # a standard one: never fetched
)

INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
}
NUMBER_TYPES = {"DOUBLE", "FLOAT", "REAL"}

# The data_sources.csv id behind each dbt source table (`source.table`, or `source.*`). The
# trajectory (and nowcast) tables are the Python steps' output, computed from SMHI's emissions (and,
# for the consumption trajectory, from SCB's and SEI's consumption figures).
DBT_SOURCE_IDS = {
    "smhi.*": ("smhi_ned",),
    "scb.*": ("scb_population",),
    "scb_energy.*": ("scb_kre",),
    "sinks.scb_lulucf_national": ("scb_lulucf",),
    "sinks.scb_forest_land": ("scb_forest_land",),
    "scb_consumption.*": ("scb_consumption",),
    "sei.*": ("sei_konsumtionskompassen",),
    "energy_feed.*": ("borlange_energi_feed",),
    "partners.partner_removals": ("partner_removals",),
    "partners.*": ("partner_submissions",),
    "trajectory.summary": ("smhi_ned",),
    "trajectory.yearly_paths": ("smhi_ned",),
    "trajectory.consumption_summary": ("scb_consumption", "sei_konsumtionskompassen"),
    "seed.local_sinks": ("local_sinks_seed",),
    "national_emissions.*": ("naturvardsverket_mi0107",),
    # The nowcast's estimates rest on SMHI's releases and Sweden's MI0107 figures, and are the
    # warehouse's own estimate, never SMHI's statistic.
    "nowcast.*": ("borlange_nowcast", "smhi_ned", "naturvardsverket_mi0107"),
}
# The terms of each licence the sources state (seeds/data_sources.csv), for datapackage `licenses`.
LICENCES = {
    "CC BY 4.0": {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0 International",
    },
    "CC0": {
        "name": "CC0-1.0",
        "path": "https://creativecommons.org/publicdomain/zero/1.0/",
        "title": "Creative Commons Zero 1.0 (public domain)",
    },
}
ATTRIBUTION = (
    "Källa: SMHI, Nationella emissionsdatabasen (CC BY 4.0), och SCB, Statistikdatabasen (CC0). "
    "Bearbetning: Klimatneutrala Borlänge 2030."
)
UNITS = (
    ("_t_per_year", "t/year"),
    ("tonnes_per_capita", "t per resident"),
    ("_pct_per_year", "%/year"),
    ("_pct", "%"),
    ("_pp", "percentage points"),
    ("_mwh", "MWh"),
    ("_sek_per_annual_tonne", "SEK per t/year"),
    ("_sek", "SEK"),
    ("g_co2e_per_kwh", "g CO2e/kWh"),
    ("_share", "share (0–1)"),
    ("_t", "t"),
    ("tonnes", "t"),
    ("tonnes_co2e", "t CO2e"),
    ("tonnes_co2_removed", "t CO2"),
    ("population", "persons"),
)


def unit_of(column: str) -> str | None:
    """The unit a column's name states (the marts' naming: `_t` tonnes, `_mwh`, `_pct`, ...)."""
    for suffix, unit in UNITS:
        if column == suffix.lstrip("_") or column.endswith(suffix):
            return unit
    return None


class ManifestMissing(ValueError):
    """The download set cannot be chosen without dbt's manifest: which marts are dbt's, which are
    open data, and what they mean all come from it. Publishing an empty set instead would look
    like a success."""


def mart_docs(manifest_path: Path) -> dict[str, dict]:
    """Per mart, from dbt's manifest: its description, its columns' descriptions and the
    data_sources ids of the dbt sources and seeds upstream of it."""
    try:
        manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ManifestMissing(
            f"dbt's manifest {manifest_path} cannot be read ({error}); "
            "run `dbt parse` (the pipeline does it at start-up) before publishing"
        ) from None
    nodes, parents = manifest.get("nodes", {}), manifest.get("parent_map", {})

    def upstream(unique_id: str, seen: set[str]) -> set[str]:
        ids: set[str] = set()
        for parent in parents.get(unique_id, ()):
            if parent in seen:
                continue
            seen.add(parent)
            kind, *_, name = parent.split(".")
            if kind == "source":
                source, table = parent.split(".")[-2:]
                ids.update(
                    DBT_SOURCE_IDS.get(f"{source}.{table}") or DBT_SOURCE_IDS.get(f"{source}.*", ())
                )
            elif kind == "seed":
                ids.update(DBT_SOURCE_IDS.get(f"seed.{name}", ()))
            else:
                ids |= upstream(parent, seen)
        return ids

    docs = {}
    for unique_id, node in nodes.items():
        if node.get("resource_type") == "model" and node.get("schema") == "marts":
            docs[node["alias"] or node["name"]] = {
                "description": " ".join((node.get("description") or "").split()),
                "columns": {
                    c: " ".join((v.get("description") or "").split())
                    for c, v in node.get("columns", {}).items()
                },
                "sources": sorted(upstream(unique_id, set())),
                # A mart is open data unless its dbt config says `meta: {open_data: false}`.
                "open_data": (node.get("config", {}).get("meta") or node.get("meta") or {}).get(
                    "open_data", True
                )
                is not False,
            }
    return docs


def open_tables(manifest: dict, docs: dict[str, dict]) -> list[dict]:
    """The manifest's marts that are open data: dbt marts (a table dbt does not know is never
    published) whose config does not say `meta: {open_data: false}` (personal names, for one)."""
    return [entry for entry in manifest["tables"] if docs.get(entry["table"], {}).get("open_data")]


def write_downloads(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    manifest: dict,
    parquet_dir: Path,
    docs: dict[str, dict],
) -> dict:
    """Every open mart of `manifest` in the four formats, and the datapackage, into `target` (a
    staged build's folder). Returns the datapackage."""
    target.mkdir(parents=True)
    sources = data_sources(con)
    resources = []
    for entry in open_tables(manifest, docs):
        name, columns = entry["table"], entry["columns"]
        csv_path = write_csv(con, name, columns, target / f"{name}.csv")
        written = {
            "csv": csv_path,
            "json": write_json(con, name, columns, target / f"{name}.json"),
            "parquet": target / f"{name}.parquet",
        }
        link_or_copy(parquet_dir / f"{name}.parquet", written["parquet"])
        if entry["rows"] <= XLSX_MAX_ROWS:
            written["xlsx"] = write_xlsx(con, name, columns, target / f"{name}.xlsx")
        for path in written.values():
            fsync(path)
        resources.append(resource(entry, docs.get(name, {}), sources, written))
    package = datapackage(manifest, resources, sources)
    path = target / DATAPACKAGE
    path.write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    fsync(path)
    fsync_dir(target)
    return package


def data_sources(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    try:
        rows = con.execute(
            "select source_id, source_name, publisher, url, licence from marts.dim_data_source"
        ).fetchall()
    except duckdb.Error:
        return {}
    return {r[0]: {"name": r[1], "publisher": r[2], "url": r[3], "licence": r[4]} for r in rows}


def csv_expression(column: dict) -> str:
    name, kind = quote_identifier(column["name"]), column["type"]
    if kind == "VARCHAR":
        value = neutralise_sql(name)
    elif kind in NUMBER_TYPES or kind.startswith("DECIMAL"):
        value = (
            f"case when isfinite({name}::double) then replace(cast({name} as varchar), '.', "
            f"{quote_literal(CSV_DECIMAL)}) end"
        )
    elif kind.startswith("TIMESTAMP"):
        value = f"strftime({name}, '%Y-%m-%d %H:%M:%S')"
    else:
        value = name
    return f"{value} as {name}"


def write_csv(con: duckdb.DuckDBPyConnection, table: str, columns: list[dict], path: Path) -> Path:
    body = path.with_name(f".{path.name}.body.tmp")
    select = ", ".join(csv_expression(c) for c in columns)
    con.execute(
        f"copy (select {select} from {qualified('marts', table)}) to {quote_literal(body)} "
        f"(format csv, header true, delimiter {quote_literal(CSV_DELIMITER)}, quote '\"')"
    )
    with open(path, "wb") as out, open(body, "rb") as source:
        out.write(BOM)
        shutil.copyfileobj(source, out, 1 << 20)
    body.unlink()
    return path


def write_json(con: duckdb.DuckDBPyConnection, table: str, columns: list[dict], path: Path) -> Path:
    select = ", ".join(
        f"{neutralise_sql(quote_identifier(c['name']))} as {quote_identifier(c['name'])}"
        if c["type"] == "VARCHAR"
        else quote_identifier(c["name"])
        for c in columns
    )
    con.execute(
        f"copy (select {select} from {qualified('marts', table)}) to {quote_literal(path)} "
        "(format json, array true)"
    )
    return path


XML_TEXT = (
    "replace(replace(replace(regexp_replace({v}, '[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]', '', 'g'), "
    "'&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
)


def is_text(column: dict) -> bool:
    return not (
        column["type"] in INTEGER_TYPES
        or column["type"] in NUMBER_TYPES
        or column["type"].startswith("DECIMAL")
        or column["type"] in ("BOOLEAN", "DATE")
        or column["type"].startswith("TIMESTAMP")
    )


def xlsx_value(column: dict) -> str:
    """A text column's value as text (`m` is the mart's alias): the key of its shared string."""
    value = f"m.{quote_identifier(column['name'])}"
    return value if column["type"] == "VARCHAR" else f"cast({value} as varchar)"


def xlsx_cell(column: dict, index: int) -> str:
    """The SQL for one cell's XML, `<c/>` for null. Cells carry no reference: every row has every
    cell, in order (ECMA-376 makes `r` optional). Text is a shared string (`s<index>.i`): the
    sheet is a third the size of one with the text inline, and so is the time to build it."""
    name, kind = f"m.{quote_identifier(column['name'])}", column["type"]
    if is_text(column):
        cell = f"'<c t=\"s\"><v>' || s{index}.i || '</v></c>'"
    elif kind == "BOOLEAN":
        cell = f"'<c t=\"b\"><v>' || case when {name} then '1' else '0' end || '</v></c>'"
    elif kind == "DATE":
        cell = f"'<c s=\"1\"><v>' || ({name} - date '1899-12-30') || '</v></c>'"
    elif kind.startswith("TIMESTAMP"):
        cell = f"'<c s=\"2\"><v>' || (epoch({name}::timestamp) / 86400 + 25569) || '</v></c>'"
    elif kind in INTEGER_TYPES:
        cell = f"'<c><v>' || {name} || '</v></c>'"
    else:
        return (
            f"case when isfinite({name}::double) then '<c><v>' || {name}::double || '</v></c>' "
            "else '<c/>' end"
        )
    return f"coalesce({cell}, '<c/>')"


XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels"'
        ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/styles.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1"'
        ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
        ' Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1"'
        ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
        ' Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2"'
        ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"'
        ' Target="styles.xml"/>'
        '<Relationship Id="rId3"'
        ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"'
        ' Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
    # Styles: 0 general, 1 a date (built-in format 14), 2 a date and time (22).
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz'
        ' val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill'
        ' patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0"'
        ' borderId="0"/></cellStyleXfs>'
        '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def write_xlsx(con: duckdb.DuckDBPyConnection, table: str, columns: list[dict], path: Path) -> Path:
    sheet_name = escape(table[:31])  # Excel's limit for a sheet name
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    header = "".join(
        f'<c s="3" t="inlineStr"><is><t>{escape(c["name"])}</t></is></c>' for c in columns
    )
    mart = f"{qualified('marts', table)} as m"
    texts = [(i, xlsx_value(c)) for i, c in enumerate(columns) if is_text(c)]
    # Every distinct text once, numbered; neutralised and escaped once per distinct value, not per
    # cell.
    strings = (
        "with strings as (select raw, " + XML_TEXT.format(v=neutralise_sql("raw")) + " as s, "
        "row_number() over (order by raw) - 1 as i from ("
        + (
            " union ".join(f"select {text} as raw from {mart}" for _, text in texts)
            or "select null as raw"
        )
        + ") where raw is not null) "
    )
    joins = " ".join(f"left join strings as s{i} on s{i}.raw = {text}" for i, text in texts)
    cells = " || ".join(xlsx_cell(c, i) for i, c in enumerate(columns))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for part, xml in XLSX_PARTS.items():
            book.writestr(part, xml)
        book.writestr("xl/workbook.xml", workbook)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2"'
                    ' state="frozen"/>'
                    f"</sheetView></sheetViews><sheetData><row>{header}</row>"
                ).encode()
            )
            rows = con.execute(
                f"{strings} select '<row>' || {cells} || '</row>' from {mart} {joins}"
            )
            while batch := rows.fetchmany(20_000):
                sheet.write("".join(row for (row,) in batch).encode())
            sheet.write(b"</sheetData></worksheet>")
        with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as shared:
            shared.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            rows = con.execute(
                f"{strings} select '<si><t xml:space=\"preserve\">' || s || '</t></si>' from "
                "strings order by i"
            )
            while batch := rows.fetchmany(20_000):
                shared.write("".join(row for (row,) in batch).encode())
            shared.write(b"</sst>")
    return path


def field(column: dict, description: str | None) -> dict:
    kind = column["type"]
    spec: dict = {"name": column["name"]}
    if kind in INTEGER_TYPES:
        spec["type"] = "integer"
    elif kind in NUMBER_TYPES or kind.startswith("DECIMAL"):
        spec.update(type="number", decimalChar=CSV_DECIMAL)
    elif kind == "BOOLEAN":
        spec.update(type="boolean", trueValues=["true"], falseValues=["false"])
    elif kind == "DATE":
        spec["type"] = "date"
    elif kind.startswith("TIMESTAMP"):
        spec.update(type="datetime", format="%Y-%m-%d %H:%M:%S")
    else:
        spec["type"] = "string"
    if description:
        spec["description"] = description
    if (unit := unit_of(column["name"])) and spec["type"] in ("integer", "number"):
        spec["unit"] = unit
    spec["duckdbType"] = kind
    return spec


def licence_of(text: str | None) -> dict:
    for key, licence in LICENCES.items():
        if text and text.startswith(key):
            return licence
    return {"name": "other", "title": text or "not stated"}


def source_entry(source_id: str, source: dict) -> dict:
    entry = {
        "title": f"{source['publisher']}: {source['name']}",
        "source_id": source_id,
        "licence": source["licence"],
    }
    if source.get("url"):
        entry["path"] = source["url"]
    return entry


def resource(entry: dict, doc: dict, sources: dict[str, dict], written: dict[str, Path]) -> dict:
    name = entry["table"]
    csv_path = written["csv"]
    used = [s for s in doc.get("sources", []) if s in sources]
    licences = []
    for source_id in used:
        licence = licence_of(sources[source_id]["licence"])
        if licence not in licences:
            licences.append(licence)
    spec = {
        "name": name,
        "type": "table",
        "path": csv_path.name,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig",
        "dialect": dict(CSV_DIALECT),
        "bytes": csv_path.stat().st_size,
        "hash": f"sha256:{sha256(csv_path)}",
        "schema": {
            "fields": [field(c, doc.get("columns", {}).get(c["name"])) for c in entry["columns"]],
            "missingValues": [""],
        },
        "rows": entry["rows"],
        "vintage": entry["vintage"],
        "formats": {fmt: written[fmt].name for fmt in FORMATS if fmt in written},
        "sources": [source_entry(s, sources[s]) for s in used],
    }
    if doc.get("description"):
        spec["description"] = doc["description"]
    if licences:
        spec["licenses"] = licences
    return spec


def datapackage(manifest: dict, resources: list[dict], sources: dict[str, dict]) -> dict:
    return {
        "$schema": DATAPACKAGE_PROFILE,
        "name": "klimatneutrala-borlange-2030",
        "title": "Klimatneutrala Borlänge 2030: utsläpp, befolkning och klimatbanor per kommun",
        "description": (
            "The published marts of the Klimatneutrala Borlänge 2030 emissions warehouse, one "
            "build. CSV for a Swedish Excel: UTF-8 with BOM, ';' between fields, decimal comma. "
            "Formula-like text starts with an apostrophe. " + ATTRIBUTION
        ),
        "version": manifest["build_id"],
        "build_id": manifest["build_id"],
        "created": manifest["built_at"],
        "git_revision": manifest["git_revision"],
        "licenses": [
            licence_of(s["licence"])
            for s in (sources.get("smhi_ned"), sources.get("scb_population"))
            if s
        ]
        or [licence_of(None)],
        "attribution": ATTRIBUTION,
        "sources": [source_entry(s, v) for s, v in sources.items()],
        "resources": resources,
    }


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
