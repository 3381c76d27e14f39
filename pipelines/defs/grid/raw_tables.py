"""The raw tables this domain writes. Electricity Maps' hourly carbon intensity (loads.py): one row
per accepted file with its vintage (the release), and its hours as published (g CO2e/kWh; shares
in %). dbt reads them as the source electricity_maps."""

from pipelines.lib.warehouse import RawTable, declare

CARBON_INTENSITY_FILES = RawTable(
    "carbon_intensity_files",
    """sha256 varchar primary key, file_name varchar not null, load_seq integer not null,
    received_at timestamp not null, vintage date not null, vintage_from varchar not null,
    header_version varchar not null, zone_id varchar not null,
    first_hour_utc timestamp not null, last_hour_utc timestamp not null, hours integer not null,
    source_note varchar""",
)
CARBON_INTENSITY_HOURS = RawTable(
    "carbon_intensity_hours",
    """sha256 varchar not null, zone_id varchar not null, country varchar, zone_name varchar,
    hour_utc timestamp not null, direct_gco2_per_kwh double not null,
    lifecycle_gco2_per_kwh double not null, cfe_pct double, re_pct double, data_source varchar,
    is_estimated boolean not null, estimation_method varchar, source_row integer not null""",
)

RAW_TABLES = declare(CARBON_INTENSITY_FILES, CARBON_INTENSITY_HOURS)
