"""The district-heating climate value: g CO2e per kWh DELIVERED, per year and network.

Bookkeeping perspective, as in Energiföretagen's "Miljövärdering av fjärrvärme" (data_sources.md
§4.1): the emissions of the fuels burnt for the network in the year, with the CHP plant's
emissions shared between its heat and its electricity, divided by the heat delivered.

  E_f        = fuel_MWh_f x factor_f / 1000          [t]  factor in g CO2e per kWh fuel
             = fuel_t_f   x factor_f                 [t]  factor in t CO2e per t fuel
  E_purch    = purchased_MWh x factor_purchased_heat / 1000
  E_chp      = sum of E_f over the CHP fuels (default: waste, Bäckelund Panna 6/7 + turbine)
  Q          = CHP heat = heat from the CHP sources (default: waste + flue-gas condensation,
               which recovers heat from the same flue gas), W = CHP electricity
  heat share a_Q:
    alternative-production method (default, "alternativproduktionsmetoden"): the CHP fuel is
    shared in proportion to the fuel that SEPARATE production of the same heat and power would
    need, with the reference efficiencies eta_Q (heat-only boiler) and eta_W (condensing power):
        a_Q = (Q / eta_Q) / (Q / eta_Q + W / eta_W)
    energy method: shared in proportion to the energy produced:
        a_Q = Q / (Q + W)
  E_heat     = a_Q x E_chp + sum of E_f over the other fuels + E_purch
  climate value [g/kWh] = E_heat [t] x 1e6 g/t / (delivered_MWh x 1000 kWh/MWh)
                        = 1000 x E_heat / delivered_MWh

Waste heat (SSAB) and flue-gas condensation carry no fuel of their own; the electricity used by the
electric boiler and the heat pump is a fuel ("electricity") with its own factor.
Only combustion factors are in the seed; the upstream part (transport and production of fuels)
that Miljövärdering reports separately is not included.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sources.energy_feed import contract as C

SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "fuel_emission_factors.csv"
G_PER_KWH = "g CO2e/kWh fuel"
T_PER_T = "t CO2e/t fuel"
PURCHASED_HEAT_FUEL = "purchased_heat"

ALTERNATIVE_PRODUCTION = "alternative_production"
ENERGY = "energy"
METHODS = (ALTERNATIVE_PRODUCTION, ENERGY)

# The reference efficiencies of the alternative separate production (seed-like; one place).
ALTERNATIVE_EFFICIENCIES = pl.DataFrame({
    "product": ["heat", "electricity"],
    "efficiency": [0.90, 0.40],
    "source": ["Energiföretagen/Svensk Fjärrvärme, Miljövärdering av fjärrvärme, guide "
               "(alternativproduktionsmetoden): heat-only boiler",
               "Energiföretagen/Svensk Fjärrvärme, Miljövärdering av fjärrvärme, guide "
               "(alternativproduktionsmetoden): condensing power plant"],
    "is_assumption": [True, True],
    "note": ["90 % as recalled from the guide; NOT verified offline. Check the current guide.",
             "40 % as recalled from the guide; NOT verified offline. Check the current guide."],
})

DEFAULT_CHP_FUELS = ("waste",)
DEFAULT_CHP_HEAT_SOURCES = ("waste", "flue_gas_condensation")


def load_fuel_factors(path: Path = SEED) -> pl.DataFrame:
    return pl.read_csv(path, schema_overrides={"factor": pl.Float64, "fossil_share": pl.Float64,
                                               "year": pl.Int64, "is_assumption": pl.Boolean})


def efficiency(efficiencies: pl.DataFrame, product: str) -> float:
    return efficiencies.filter(pl.col("product") == product).get_column("efficiency").item()


# --------------------------------------------------------------------------- allocation (scalars)


def heat_share_alternative_production(q_mwh: float, w_mwh: float, eta_q: float, eta_w: float) -> float:
    """a_Q = (Q/eta_Q) / (Q/eta_Q + W/eta_W)."""
    fuel_for_heat, fuel_for_power = q_mwh / eta_q, w_mwh / eta_w
    total = fuel_for_heat + fuel_for_power
    return fuel_for_heat / total if total > 0 else 0.0


def heat_share_energy(q_mwh: float, w_mwh: float) -> float:
    """a_Q = Q / (Q + W)."""
    return q_mwh / (q_mwh + w_mwh) if q_mwh + w_mwh > 0 else 0.0


def heat_share(q_mwh: float, w_mwh: float, method: str, efficiencies: pl.DataFrame) -> float:
    if method == ALTERNATIVE_PRODUCTION:
        return heat_share_alternative_production(q_mwh, w_mwh, efficiency(efficiencies, "heat"),
                                                 efficiency(efficiencies, "electricity"))
    if method == ENERGY:
        return heat_share_energy(q_mwh, w_mwh)
    raise ValueError(f"unknown allocation method {method!r}; one of {METHODS}")


# --------------------------------------------------------------------------- frames


def annual_totals(long: pl.DataFrame) -> pl.DataFrame:
    """year, network, measure, category, unit, value: flows summed over the months; counts (a stock,
    e.g. charge points) are the last month's value."""
    return (long.sort("month").with_columns(year=pl.col("month").dt.year())
            .group_by("year", "network", "measure", "category", "unit", maintain_order=True)
            .agg(pl.when(pl.col("unit").first() == C.COUNT).then(pl.col("value").last())
                 .otherwise(pl.col("value").sum()).alias("value"))
            .sort("year", "network", "measure", "category", "unit"))


def fuel_emissions(totals: pl.DataFrame, factors: pl.DataFrame) -> pl.DataFrame:
    """Per year, network and fuel (incl. purchased heat): fuel_mwh, fuel_t, emissions_t, fossil_mwh."""
    fuels = (totals.filter(pl.col("measure") == C.FUEL_INPUT)
             .group_by("year", "network", "category")
             .agg(fuel_mwh=pl.col("value").filter(pl.col("unit") == C.MWH).sum(),
                  fuel_t=pl.col("value").filter(pl.col("unit") == C.TONNES).sum()))
    purchased = (totals.filter(pl.col("measure") == C.PURCHASED_HEAT)
                 .select("year", "network", category=pl.lit(PURCHASED_HEAT_FUEL), fuel_mwh="value",
                         fuel_t=pl.lit(0.0)))
    joined = pl.concat([fuels, purchased]).join(
        factors.select(pl.col("fuel").alias("category"), "factor", "unit", "fossil_share"),
        on="category", how="left")
    missing = joined.filter(pl.col("factor").is_null() & (pl.col("fuel_mwh") + pl.col("fuel_t") > 0))
    if missing.height:
        raise ValueError(f"no emission factor for {sorted(set(missing.get_column('category')))}")
    return joined.with_columns(
        emissions_t=pl.when(pl.col("unit") == T_PER_T).then(pl.col("fuel_t") * pl.col("factor"))
        .otherwise(pl.col("fuel_mwh") * pl.col("factor") / 1000.0).fill_null(0.0),
        fossil_mwh=pl.col("fuel_mwh") * pl.col("fossil_share").fill_null(0.0),
    ).sort("year", "network", "category")


def _measure_sum(totals: pl.DataFrame, measure: str, categories: tuple[str, ...] | None = None) -> pl.DataFrame:
    rows = totals.filter(pl.col("measure") == measure)
    if categories is not None:
        rows = rows.filter(pl.col("category").is_in(categories))
    return rows.group_by("year", "network").agg(pl.col("value").sum())


def climate_value(long: pl.DataFrame, factors: pl.DataFrame, *, method: str = ALTERNATIVE_PRODUCTION,
                  efficiencies: pl.DataFrame = ALTERNATIVE_EFFICIENCIES,
                  chp_fuels: tuple[str, ...] = DEFAULT_CHP_FUELS,
                  chp_heat_sources: tuple[str, ...] = DEFAULT_CHP_HEAT_SOURCES) -> pl.DataFrame:
    """One row per year and network: the inputs of the formula, the heat share and the value."""
    totals = annual_totals(long)
    per_fuel = fuel_emissions(totals, factors)
    emissions = per_fuel.group_by("year", "network").agg(
        chp_emissions_t=pl.col("emissions_t").filter(pl.col("category").is_in(chp_fuels)).sum(),
        other_emissions_t=pl.col("emissions_t").filter(~pl.col("category").is_in(chp_fuels)).sum(),
        fossil_share=pl.col("fossil_mwh").sum() / pl.col("fuel_mwh").sum())
    frame = (emissions
             .join(_measure_sum(totals, C.HEAT_PRODUCTION, chp_heat_sources).rename({"value": "chp_heat_mwh"}),
                   on=["year", "network"], how="left")
             .join(_measure_sum(totals, C.CHP_ELECTRICITY).rename({"value": "chp_electricity_mwh"}),
                   on=["year", "network"], how="left")
             .join(_measure_sum(totals, C.DELIVERY).rename({"value": "delivered_mwh"}),
                   on=["year", "network"], how="left")
             .with_columns(pl.col("chp_heat_mwh", "chp_electricity_mwh").fill_null(0.0)))
    shares = [heat_share(q, w, method, efficiencies) for q, w in
              frame.select("chp_heat_mwh", "chp_electricity_mwh").iter_rows()]
    return (frame.with_columns(method=pl.lit(method), chp_heat_share=pl.Series(shares, dtype=pl.Float64))
            .with_columns(heat_emissions_t=pl.col("chp_heat_share") * pl.col("chp_emissions_t")
                          + pl.col("other_emissions_t"))
            .with_columns(climate_value_g_per_kwh=1000.0 * pl.col("heat_emissions_t") / pl.col("delivered_mwh"))
            .select("year", "network", "method", "delivered_mwh", "chp_heat_mwh", "chp_electricity_mwh",
                    "chp_heat_share", "chp_emissions_t", "other_emissions_t", "heat_emissions_t",
                    "climate_value_g_per_kwh", "fossil_share")
            .sort("year", "network"))
