"""The network registry: the dbt seeds `energy_networks.csv` and `network_areas.csv` (read here,
never written).

A report may name only these networks, and each network's monthly heat must fall in its range.
The range is what catches a small network whose file is silently in kWh: its figures balance,
and may still be far below the largest network's ceiling, but not below its own. A meter value
may name only an area of these networks (its `natomrade`), so no free text reaches open data.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

NETWORKS_CSV = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "energy_networks.csv"
AREAS_CSV = NETWORKS_CSV.with_name("network_areas.csv")


@dataclass(frozen=True)
class Network:
    name: str  # as the utility writes it in the `Nät` column
    size_class: str  # large | small
    min_monthly_heat_mwh: float  # the least heat supply of a month the network runs (0 = shut)
    max_monthly_heat_mwh: float
    is_synthetic: bool


class RegistryError(ValueError):
    """The registry file itself is broken (a usage error for a command line, not a problem)."""


def load_networks(path: Path = NETWORKS_CSV) -> dict[str, Network]:
    """network name -> Network, in the seed's order."""
    try:
        with Path(path).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        networks = {}
        for row in rows:
            name = row["network"].strip()
            if name:
                networks[name] = Network(
                    name,
                    row["size_class"].strip(),
                    float(row["min_monthly_heat_mwh"]),
                    float(row["max_monthly_heat_mwh"]),
                    row["is_synthetic"].strip().lower() == "true",
                )
    except (OSError, KeyError, ValueError, AttributeError, csv.Error) as error:
        raise RegistryError(
            f"{path}: not a network registry ({type(error).__name__}: {error})"
        ) from error
    return networks


def load_network_areas(
    path: Path = AREAS_CSV, networks_path: Path = NETWORKS_CSV
) -> dict[str, str]:
    """area id (`natomrade`) -> its network's name; every area's network is in the registry."""
    networks = load_networks(networks_path)
    try:
        with Path(path).open(encoding="utf-8", newline="") as handle:
            areas = {
                row["natomrade"].strip(): row["network"].strip()
                for row in csv.DictReader(handle)
                if row["natomrade"].strip()
            }
    except (OSError, KeyError, ValueError, AttributeError, csv.Error) as error:
        raise RegistryError(
            f"{path}: not a list of network areas ({type(error).__name__}: {error})"
        ) from error
    strays = sorted(area for area, network in areas.items() if network not in networks)
    if strays:
        raise RegistryError(f"{path}: areas of networks not in the registry: {', '.join(strays)}")
    return areas
