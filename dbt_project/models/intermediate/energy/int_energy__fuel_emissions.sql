-- Per network, year and fuel (purchased heat counted as a fuel): the fuel used and its emissions,
-- with the emission factor in force for the year: the seed row of the fuel with the latest
-- valid_from_year not after the year (and, among corrections of that row, the newest vintage).
--   emissions_t = fuel_t x factor            when the factor is in t CO2e per t fuel
--               = fuel_mwh x factor / 1000   when it is in g CO2e per kWh fuel
--                                            (MWh x 1000 kWh x g / 1e6 g/t)
with

current_values as (
    select * from {{ ref('stg_energy_feed__values') }}
    where is_current
),

factors as (select * from {{ ref('fuel_emission_factors') }}),

fuel_years as (
    select
        network_id,
        year,
        case when measure = 'purchased_heat' then 'purchased_heat' else category end as fuel,
        sum(case when unit = 'MWh' then value else 0 end) as fuel_mwh,
        sum(case when unit = 't' then value else 0 end) as fuel_t
    from current_values
    where measure in ('fuel_input', 'purchased_heat')
    group by 1, 2, 3
),

candidates as (
    select
        fuel_years.*,
        factors.factor,
        factors.unit as factor_unit,
        factors.fossil_share,
        factors.burnt_on_site,
        factors.source as factor_source,
        factors.vintage as factor_vintage,
        factors.is_assumption,
        row_number() over (
            partition by fuel_years.network_id, fuel_years.year, fuel_years.fuel
            order by factors.valid_from_year desc, factors.vintage desc
        ) as factor_rank
    from fuel_years
    left join
        factors
        on fuel_years.fuel = factors.fuel and fuel_years.year >= factors.valid_from_year
)

select
    network_id,
    year,
    fuel,
    fuel_mwh,
    fuel_t,
    factor,
    factor_unit,
    fossil_share,
    coalesce(burnt_on_site, false) as burnt_on_site,
    factor_source,
    factor_vintage,
    coalesce(is_assumption, true) as is_assumption,
    case
        when factor_unit = 't CO2e/t fuel' then fuel_t * factor
        else fuel_mwh * factor / 1000.0
    end as emissions_t,
    fuel_mwh * coalesce(fossil_share, 0) as fossil_mwh,
    fuel in ({{ "'" ~ var('energy_chp_fuels') | join("', '") ~ "'" }}) as is_chp_fuel
from candidates
where factor_rank = 1
