"""The raw table this domain writes: Sweden by SMHI main sector and gas (MI0107 TotaltUtslappN,
sectors 1.0-9.0; loads.py). Every fetch is kept (one landed response per fetch); staging reads the
newest per sector, gas and year. dbt reads it as the source national_emissions."""

from pipelines.lib.warehouse import RawTable, declare

NATIONAL_SECTOR_EMISSIONS = RawTable(
    "national_sector_emissions",
    """file_sha256 varchar not null, table_id varchar not null, source_id varchar not null,
    sector_code varchar not null, huvudsektor varchar not null, gas_code varchar not null,
    gas varchar not null, contents_code varchar not null, year integer not null, tonnes double,
    status varchar, unit_raw varchar not null, value_kind varchar not null,
    provenance_note varchar not null, updated varchar, fetched_at timestamp not null""",
)

RAW_TABLES = declare(NATIONAL_SECTOR_EMISSIONS)
