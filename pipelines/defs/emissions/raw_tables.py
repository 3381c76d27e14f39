"""The raw tables this domain writes. SMHI's two exports (GGT and CO2, loads.load_smhi_release) and
SCB's population (loads.load_population); dbt reads them as the sources smhi and scb."""

from pipelines.lib.warehouse import RawTable, declare

SMHI_COLUMNS = """file_sha256 varchar not null, file_name varchar not null, vintage date not null,
    sub varchar not null, gas varchar not null, unit_raw varchar not null,
    sheet varchar not null, level varchar not null, lan_kod varchar, kommun_kod varchar,
    huvudsektor_raw varchar not null, undersektor_raw varchar not null, lan_namn_raw varchar,
    kommun_namn_raw varchar, year integer not null, tonnes double not null,
    source_row integer not null, fetched_at timestamp not null"""
SMHI_EMISSIONS_GGT = RawTable("smhi_emissions_ggt", SMHI_COLUMNS)
SMHI_EMISSIONS_CO2 = RawTable("smhi_emissions_co2", SMHI_COLUMNS)
SCB_POPULATION = RawTable(
    "scb_population",
    """file_sha256 varchar not null, table_id varchar not null, contents_code varchar not null,
    kommun_kod varchar not null, year integer not null, population bigint, status varchar,
    updated varchar, fetched_at timestamp not null""",
)

RAW_TABLES = declare(SMHI_EMISSIONS_GGT, SMHI_EMISSIONS_CO2, SCB_POPULATION)
