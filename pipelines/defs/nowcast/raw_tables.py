"""The raw tables this domain writes:
- Sweden by SMHI main sector and gas (MI0107 TotaltUtslappN, sectors 1.0-9.0; loads.py). Every
  fetch is kept (one landed response per fetch); staging reads the newest per sector, gas and
  year. dbt reads it as the source national_emissions.
- SMHI releases from an archive (SMHI_ARCHIVE_BASE_URL): releases the warehouse did not download
  when they were current, in the SMHI tables' own columns, vintage and file hash. Only the
  nowcast's backtest reads them (intermediate.int_nowcast__releases), so that an archived release
  never becomes a figure the marts publish as SMHI's. dbt reads it as the source smhi.
"""

from pipelines.defs.emissions.raw_tables import SMHI_COLUMNS
from pipelines.lib.warehouse import RawTable, declare

NATIONAL_SECTOR_EMISSIONS = RawTable(
    "national_sector_emissions",
    """file_sha256 varchar not null, table_id varchar not null, source_id varchar not null,
    sector_code varchar not null, huvudsektor varchar not null, gas_code varchar not null,
    gas varchar not null, contents_code varchar not null, year integer not null, tonnes double,
    status varchar, unit_raw varchar not null, value_kind varchar not null,
    provenance_note varchar not null, updated varchar, fetched_at timestamp not null""",
)
SMHI_ARCHIVED_RELEASES = RawTable("smhi_archived_releases", SMHI_COLUMNS)

RAW_TABLES = declare(NATIONAL_SECTOR_EMISSIONS, SMHI_ARCHIVED_RELEASES)
