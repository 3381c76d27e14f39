-- Business as usual, the plan and the decided actions ('beslutade') per kommun, year, inventory and
-- sector, with the sector rows summed to a 'total' row per inventory; the plan's projected years
-- carry the Monte Carlo's P10/P50/P90 (pipelines/defs/plan). Scenarios are projections, never
-- statistics: observed years are SMHI's values as the engine read them.
with

sectors as (
    select
        kommun_kod,
        scenario,
        year,
        inventory,
        sector,
        emissions_t,
        emissions_kind,
        is_synthetic
    from {{ ref('stg_plan__scenario_emissions') }}
),

totals as (
    select
        kommun_kod,
        scenario,
        year,
        inventory,
        'total' as sector,
        {{ exact_sum("emissions_t") }} as emissions_t,
        min(emissions_kind) as emissions_kind,
        bool_or(is_synthetic) as is_synthetic
    from sectors
    group by kommun_kod, scenario, year, inventory
),

scenario_rows as (
    select * from sectors
    union all
    select * from totals
),

percentiles as (select * from {{ ref('stg_plan__percentiles') }})

select
    rows.kommun_kod,
    rows.scenario,
    rows.year,
    rows.inventory,
    rows.sector,
    rows.emissions_t,
    rows.emissions_kind,
    percentiles.p10_t,
    percentiles.p50_t,
    percentiles.p90_t,
    percentiles.mean_t,
    rows.is_synthetic
from scenario_rows as rows
left join percentiles
    on
        rows.kommun_kod = percentiles.kommun_kod
        and rows.scenario = percentiles.scenario
        and rows.inventory = percentiles.inventory
        and rows.sector = percentiles.sector
        and rows.year = percentiles.year
