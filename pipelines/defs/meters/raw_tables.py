"""The raw tables this domain writes. Borlänge Energi's meter files (loads.py): one row per
accepted file, no metering point in it (the values, pseudonymised, are in the meter lake, which
dbt reads as the source meters)."""

from pipelines.lib.warehouse import RawTable, declare

METER_FEED_FILES = RawTable(
    "meter_feed_files",
    """sha256 varchar primary key, file_name varchar not null, load_seq integer not null,
    received_at timestamp not null, medium varchar not null, month date not null,
    value_count bigint not null, points integer not null, kwh decimal(18, 3) not null,
    resolutions varchar not null, is_synthetic boolean not null""",
)

RAW_TABLES = declare(METER_FEED_FILES)
