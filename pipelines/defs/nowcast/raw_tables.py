"""The raw tables this domain loads, as the refactor wants them: table name -> create statement
(run before the first load; loads.py does it itself until the framework runs every domain's)."""

RAW_TABLES = {
    # Sweden by SMHI main sector and gas (MI0107 TotaltUtslappN, sectors 1.0-9.0): every fetch is
    # kept (one landed response per fetch); staging reads the newest per sector, gas and year.
    "national_sector_emissions": """
        create table if not exists raw.national_sector_emissions (
            file_sha256 varchar not null,
            table_id varchar not null,
            source_id varchar not null,
            sector_code varchar not null,
            huvudsektor varchar not null,
            gas_code varchar not null,
            gas varchar not null,
            contents_code varchar not null,
            year integer not null,
            tonnes double,
            status varchar,
            unit_raw varchar not null,
            value_kind varchar not null,
            provenance_note varchar not null,
            updated varchar,
            fetched_at timestamp not null
        )""",
}
