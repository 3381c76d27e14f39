"""The raw tables this domain writes. Consumption-based emissions (loads.py): SCB MI1301 by use,
SCB NR0105 (the key per kommun) and SEI Konsumtionskompassen's households. dbt reads them as the
sources scb_consumption and sei."""

from pipelines.lib.warehouse import RawTable, declare

SCB_CONSUMPTION_EMISSIONS = RawTable(
    "scb_consumption_emissions",
    """file_sha256 varchar not null, table_id varchar not null, use_code varchar not null,
    component varchar, use_label varchar, substance_code varchar not null,
    year integer not null, tonnes double, status varchar, unit_raw varchar,
    contents_code varchar, contents_label varchar, updated varchar,
    fetched_at timestamp not null""",
)
SCB_BRP = RawTable(
    "scb_brp",
    """file_sha256 varchar not null, table_id varchar not null, kommun_kod varchar not null,
    year integer not null, value double, status varchar, unit_raw varchar,
    contents_code varchar, contents_label varchar, updated varchar,
    fetched_at timestamp not null""",
)
SEI_HOUSEHOLD_EMISSIONS = RawTable(
    "sei_household_emissions",
    """file_sha256 varchar not null, file_name varchar not null, sheet varchar not null,
    data_year integer not null, vintage date not null, kommun_kod varchar not null,
    kommun_namn_raw varchar, kommungrupp_kod integer, kg_co2e_per_capita double not null,
    source_row integer not null, fetched_at timestamp not null""",
)

RAW_TABLES = declare(SCB_CONSUMPTION_EMISSIONS, SCB_BRP, SEI_HOUSEHOLD_EMISSIONS)
