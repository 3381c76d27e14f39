"""The raw tables this domain writes. Partner submissions (loads.py): one row per accepted file,
and its sheets; dbt reads them as the source partners."""

from pipelines.lib.warehouse import RawTable, declare

PARTNER_SUBMISSIONS = RawTable(
    "partner_submissions",
    """sha256 varchar primary key, partner_id varchar not null, reporting_year integer not null,
    file_name varchar not null, received_at timestamp not null, contact_name varchar,
    contact_email varchar, submitted_date date""",
)
PARTNER_EMISSIONS = RawTable(
    "partner_emissions",
    """sha256 varchar not null, partner_id varchar not null, reporting_year integer not null,
    source_row integer not null, scope integer not null, category varchar,
    tonnes_co2e double not null, method varchar, inside_territory boolean, comment varchar""",
)
PARTNER_ENERGY = RawTable(
    "partner_energy",
    """sha256 varchar not null, partner_id varchar not null, reporting_year integer not null,
    source_row integer not null, energy_carrier varchar not null, mwh double not null,
    supplier varchar, comment varchar""",
)
PARTNER_ACTIONS = RawTable(
    "partner_actions",
    """sha256 varchar not null, partner_id varchar not null, reporting_year integer not null,
    source_row integer not null, action_id varchar not null, title varchar, status varchar,
    start_year integer, investment_sek double, expected_annual_reduction_t double,
    realised_reduction_t double, comment varchar""",
)
PARTNER_REMOVALS = RawTable(
    "partner_removals",
    """sha256 varchar not null, partner_id varchar not null, reporting_year integer not null,
    source_row integer not null, removal_type varchar not null, tonnes_co2 double not null,
    method varchar, permanence varchar, comment varchar""",
)

RAW_TABLES = declare(
    PARTNER_SUBMISSIONS, PARTNER_EMISSIONS, PARTNER_ENERGY, PARTNER_ACTIONS, PARTNER_REMOVALS
)
