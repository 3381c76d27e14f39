"""The file contract of Borlänge Energi's monthly utility feed: one definition of every column.

There is no public API (data_sources.md §4); this contract is ours. A report file (CSV or XLSX)
looks like a Swedish utility export:

    # SYNTETISKA DATA / SYNTHETIC DATA ...         <- comment lines start with '#', skipped
    Källa;SYNTHETIC test fixture                   <- free metadata lines (key;value), kept
    Period;2025-01;2025-12                         <- REQUIRED: first and last month covered
    Enhet;kWh                                      <- OPTIONAL: the energy unit (MWh when absent)
    Nät;Månad;Värmeproduktion restavfall;...       <- the header line: the first line starting 'Nät'
    Borlänge;2025-01;17000;...                     <- one line per network and month

* CSV: `;` separated, decimal comma (`1 234,5`; spaces between digit groups allowed, a decimal
  point is an error so that `1.234` is never misread), UTF-8 (with or without BOM) or Windows-1252.
* XLSX: the same lines in the first sheet; numbers as number cells (text that is a Swedish
  number is accepted, since exports often write it so).
* The energy unit: MWh unless declared. A declaration is the `Enhet` line, or a unit in a
  heading, e.g. `Värmeproduktion restavfall (kWh)`. kWh is scaled to MWh (/1000). Any other
  unit is the problem `wrong_unit`; an UNDECLARED unit is never guessed (validate.py catches
  a file silently in kWh by its magnitude and heating values).
* Tonnes columns say `(ton)` (or `(t)`) in their heading; counts have no unit.

The long format (what parse.py returns; one row per network, month, measure, category, unit):

    network  str   the network name as written (e.g. "Borlänge")
    month    date  the first day of the month
    measure  str   one of MEASURES (heat_production, fuel_input, ...)
    category str   the source, fuel or customer category ("" when the measure has none)
    unit     str   "MWh", "t" or "count" (energy is always MWh after parsing)
    value    f64   the value in that unit
    file     str   the file's name    } where the value came from, so that
    row      i64   its 1-based line   } every later problem can point back
    column   str   its heading        } at the cell
"""

from __future__ import annotations

from dataclasses import dataclass

NETWORK = "Nät"
MONTH = "Månad"
PERIOD = "Period"
UNIT = "Enhet"
COMMENT = "#"
SEPARATOR = ";"

MWH = "MWh"
KWH = "kWh"
TONNES = "t"
COUNT = "count"

# The energy units a file may declare, as how many make one MWh (divide: 12 589 600 kWh / 1000 is
# exactly 12 589,6 in floating point, where x 0.001 is not).
ENERGY_UNITS = {"mwh": 1.0, "kwh": 1000.0}
TONNE_UNITS = {"ton", "t", "tonnes", "tonne"}

# The measures (long format), and what a row of each is.
HEAT_PRODUCTION = "heat_production"  # MWh of heat into the network, by source
FUEL_INPUT = "fuel_input"  # fuel into the boilers: t and MWh, by fuel
PURCHASED_HEAT = "purchased_heat"  # MWh bought from other networks/utilities
DELIVERY = "delivery"  # MWh delivered to customers, by category
NETWORK_LOSS = "network_loss"  # MWh lost up to the delivery points
CHP_ELECTRICITY = "chp_electricity"  # MWh of electricity from the CHP turbine
ELECTRICITY_DISTRIBUTION = "electricity_distribution"  # MWh through the grid, by category
PUBLIC_CHARGING = "public_charging"  # MWh through public charge points
CHARGE_POINTS = "charge_points"  # number of public charge points

MEASURES = (
    HEAT_PRODUCTION,
    FUEL_INPUT,
    PURCHASED_HEAT,
    DELIVERY,
    NETWORK_LOSS,
    CHP_ELECTRICITY,
    ELECTRICITY_DISTRIBUTION,
    PUBLIC_CHARGING,
    CHARGE_POINTS,
)

# Heat sources (Swedish word in the heading -> category).
HEAT_SOURCES = {
    "restavfall": "waste",
    "biobränsle": "biofuel",
    "eldningsolja": "oil",
    "elpanna": "electric_boiler",
    "värmepump": "heat_pump",
    "spillvärme": "waste_heat",
    "rökgaskondensering": "flue_gas_condensation",
}
# Fuels (Swedish word -> category). "el" is the electricity used by the electric boiler and heat
# pump ("el och bränslen för produktion" in SCB's table); it has MWh but no tonnes.
FUELS = {"restavfall": "waste", "biobränsle": "biofuel", "eldningsolja": "oil", "el": "electricity"}
TONNE_FUELS = ("restavfall", "biobränsle", "eldningsolja")
DELIVERY_CATEGORIES = {
    "småhus": "single_family",
    "flerbostadshus": "multi_family",
    "lokaler": "commercial_public",
    "industri": "industry",
}
ELECTRICITY_CATEGORIES = {
    "hushåll": "households",
    "service": "services",
    "industri": "industry",
}


class Kind:
    ENERGY = "energy"  # in the file's energy unit, scaled to MWh
    TONNES = "tonnes"
    COUNT = "count"


@dataclass(frozen=True)
class Column:
    heading: str  # the Swedish heading without a unit suffix
    measure: str
    category: str
    kind: str  # Kind.*
    required: bool = True

    @property
    def long_unit(self) -> str:
        return {Kind.ENERGY: MWH, Kind.TONNES: TONNES, Kind.COUNT: COUNT}[self.kind]

    @property
    def shown(self) -> str:
        """The heading as the template writes it (tonnes carry their unit)."""
        return f"{self.heading} (ton)" if self.kind == Kind.TONNES else self.heading


def _columns() -> tuple[Column, ...]:
    cols = [
        Column(f"Värmeproduktion {sv}", HEAT_PRODUCTION, cat, Kind.ENERGY)
        for sv, cat in HEAT_SOURCES.items()
    ]
    cols += [Column(f"Bränsle {sv}", FUEL_INPUT, FUELS[sv], Kind.TONNES) for sv in TONNE_FUELS]
    cols += [Column(f"Bränsle {sv}", FUEL_INPUT, cat, Kind.ENERGY) for sv, cat in FUELS.items()]
    cols.append(Column("Köpt värme", PURCHASED_HEAT, "", Kind.ENERGY))
    cols += [
        Column(f"Leverans {sv}", DELIVERY, cat, Kind.ENERGY)
        for sv, cat in DELIVERY_CATEGORIES.items()
    ]
    cols.append(Column("Nätförluster", NETWORK_LOSS, "", Kind.ENERGY))
    cols.append(Column("Elproduktion kraftvärme", CHP_ELECTRICITY, "", Kind.ENERGY))
    cols += [
        Column(f"Eldistribution {sv}", ELECTRICITY_DISTRIBUTION, cat, Kind.ENERGY)
        for sv, cat in ELECTRICITY_CATEGORIES.items()
    ]
    cols.append(Column("Publik laddning", PUBLIC_CHARGING, "", Kind.ENERGY))
    cols.append(Column("Antal laddpunkter", CHARGE_POINTS, "", Kind.COUNT))
    return tuple(cols)


COLUMNS: tuple[Column, ...] = _columns()
KEY_COLUMNS = (NETWORK, MONTH)


def column_key(heading: str, kind: str) -> tuple[str, str]:
    """A heading (lower case, unit removed) and its kind. Energy and tonnes of one fuel share the
    words "Bränsle restavfall", so the unit `(ton)` is what tells them apart."""
    return heading.strip().lower(), (Kind.TONNES if kind == Kind.TONNES else "other")


COLUMN_BY_KEY = {column_key(c.heading, c.kind): c for c in COLUMNS}


def template_header() -> list[str]:
    return [NETWORK, MONTH] + [c.shown for c in COLUMNS]
