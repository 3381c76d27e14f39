"""The raw tables this domain writes. The carbon-sink inputs from SCB (loads.py): every fetch is
kept, staging reads the newest. dbt reads them as the source sinks."""

from pipelines.lib.warehouse import RawTable, declare

SCB_LULUCF_NATIONAL = RawTable(
    "scb_lulucf_national",
    """file_sha256 varchar not null, table_id varchar not null, sector_code varchar not null,
    gas_code varchar not null, contents_code varchar not null, year integer not null,
    tonnes_co2e double, status varchar, unit_raw varchar not null, updated varchar,
    is_synthetic boolean not null, provenance_note varchar not null,
    fetched_at timestamp not null""",
)
SCB_FOREST_LAND = RawTable(
    "scb_forest_land",
    """file_sha256 varchar not null, table_id varchar not null, key_source varchar not null,
    key_description varchar not null, kommun_kod varchar not null, year integer not null,
    hectares double, status varchar, unit_raw varchar not null, updated varchar,
    is_synthetic boolean not null, provenance_note varchar not null,
    fetched_at timestamp not null""",
)

RAW_TABLES = declare(SCB_LULUCF_NATIONAL, SCB_FOREST_LAND)
