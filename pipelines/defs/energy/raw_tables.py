"""The raw tables this domain writes. Borlänge Energi's monthly reports (loads.py: one row per
accepted file, and its values in the long format of sources/energy_feed/contract.py, energy in
MWh), and SCB's municipal energy statistics (KRE: TAB3654, TAB3451, TAB3452, one row per cell;
scb_energy.py). dbt reads them as the sources energy_feed and scb_energy."""

from pipelines.lib.warehouse import RawTable, declare

ENERGY_FEED_FILES = RawTable(
    "energy_feed_files",
    """sha256 varchar primary key, file_name varchar not null, load_seq integer not null,
    received_at timestamp not null, period_start date not null, period_end date not null,
    declared_unit varchar not null, source_note varchar, is_synthetic boolean not null,
    networks integer not null, value_count integer not null""",
)
ENERGY_FEED_VALUES = RawTable(
    "energy_feed_values",
    """sha256 varchar not null, network varchar not null, month date not null,
    measure varchar not null, category varchar not null, unit varchar not null,
    value double not null, source_row integer not null, source_column varchar not null""",
)
SCB_ENERGY = RawTable(
    "scb_energy",
    """file_sha256 varchar not null, table_id varchar not null, contents_code varchar not null,
    kommun_kod varchar not null, category_variable varchar not null,
    category_code varchar not null, category_label varchar, fuel_code varchar not null,
    fuel_label varchar, year integer not null, mwh double, status varchar, unit varchar,
    updated varchar, note varchar, fetched_at timestamp not null""",
)

RAW_TABLES = declare(ENERGY_FEED_FILES, ENERGY_FEED_VALUES, SCB_ENERGY)
