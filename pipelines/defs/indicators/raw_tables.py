"""The raw tables this domain writes. Kolada v3 KPI values (loads.py): one landed file per page;
every fetch is kept, staging reads the newest per KPI, id and year. dbt reads it as the source
kolada."""

from pipelines.lib.warehouse import RawTable, declare

KOLADA_KPI_VALUES = RawTable(
    "kolada_kpi_values",
    """file_sha256 varchar not null, url varchar not null, kpi varchar not null,
    municipality varchar not null, year integer not null, gender varchar not null, value double,
    status varchar, count integer, is_deleted boolean not null, note varchar,
    is_synthetic boolean not null, is_derived boolean not null, fetched_at timestamp not null""",
)

RAW_TABLES = declare(KOLADA_KPI_VALUES)
