"""When each source is asked for, and how old its data may grow before it counts as stale: the
release rhythms behind the automation (plain data; pipelines/defs/automation/assets.py turns them
into Dagster's automation conditions and freshness policies, docs/operators.md tells operators).

The statistics are asked on a cron: SMHI once a year after its release, SCB's population once a year
after its final figures, and the other yearly tables every month, because their release dates differ
per table and are not verified (a response that is unchanged adds nothing). The inboxes are not
asked: their sensors start a load when files arrive, and everything downstream follows eagerly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

MONTHLY_ASK = "0 6 5 * *"  # the 5th of every month, 06:00 Stockholm time


@dataclass(frozen=True)
class Asked:
    """A source asked on `cron` (Europe/Stockholm)."""

    cron: str
    why: str


@dataclass(frozen=True)
class DueBy:
    """Fresh when loaded within `lower_bound` before each tick of `deadline_cron`: for a source
    with a release date, stale from the deadline until the year's release is in."""

    deadline_cron: str
    lower_bound: timedelta
    why: str


@dataclass(frozen=True)
class Within:
    """Fresh when loaded within `warn` (then WARN until `fail`): for a source with a rhythm but no
    date."""

    warn: timedelta
    fail: timedelta
    why: str


SMHI_RELEASE = Asked("0 6 20 6 *", "SMHI publishes year N in May–June of N+2")
SCB_POPULATION = Asked("0 6 1 3 *", "SCB's final population of 31 December comes in February")
YEARLY_TABLE = Asked(
    MONTHLY_ASK, "released once a year on a date of its own, picked up within a month"
)

ASKED: dict[str, Asked] = {
    "raw/smhi_emissions_ggt": SMHI_RELEASE,
    "raw/smhi_emissions_co2": SMHI_RELEASE,
    "raw/scb_population": SCB_POPULATION,
    "raw/scb_energy": YEARLY_TABLE,
    "raw/scb_lulucf_national": YEARLY_TABLE,
    "raw/national_sector_emissions": YEARLY_TABLE,  # MI0107, the nowcast's national indicator
    "raw/scb_forest_land": YEARLY_TABLE,
    "raw/scb_consumption_emissions": YEARLY_TABLE,
    "raw/scb_brp": YEARLY_TABLE,
    "raw/sei_household_emissions": YEARLY_TABLE,
    "raw/kolada_kpi_values": YEARLY_TABLE,
}

# Asked on the 5th: a month and a few days without a load means a tick was missed or failed; two
# months, that the source has not been read for a whole release cycle of the monthly feeds.
ASKED_MONTHLY = Within(timedelta(days=35), timedelta(days=65), "asked every month on the 5th")
MONTHLY_FEED = Within(
    timedelta(days=35), timedelta(days=65), "one report per month, sent in the month after"
)
YEARLY_FEED = Within(timedelta(days=380), timedelta(days=430), "one file per year")

FRESHNESS: dict[str, DueBy | Within] = {
    # Asked on 20 June; stale from 1 July until loaded since mid-May (a failed or missed ask).
    "raw/smhi_emissions_ggt": DueBy("0 6 1 7 *", timedelta(days=45), SMHI_RELEASE.why),
    "raw/smhi_emissions_co2": DueBy("0 6 1 7 *", timedelta(days=45), SMHI_RELEASE.why),
    # Asked on 1 March; stale from 15 March until loaded since mid-February.
    "raw/scb_population": DueBy("0 6 15 3 *", timedelta(days=30), SCB_POPULATION.why),
    **{key: ASKED_MONTHLY for key, asked in ASKED.items() if asked is YEARLY_TABLE},
    "raw/energy_reports": MONTHLY_FEED,
    "raw/meter_feed_files": MONTHLY_FEED,
    "raw/partner_submissions": YEARLY_FEED,
    "raw/carbon_intensity": YEARLY_FEED,
}

# Loaded by their own sensors, never by an automation condition: the inboxes when files wait, the
# meter lake's months once the drop has taken their files in.
SENSOR_DRIVEN = (
    "raw/partner_submissions",
    "raw/energy_reports",
    "raw/carbon_intensity",
    "raw/meter_feed_files",
    "meters/el_values",
    "meters/fjarrvarme_values",
)
