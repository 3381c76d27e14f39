-- Borlänge Energi's electricity per network and month: produced in the CHP plant, distributed
-- through the grid by customer category, and charged at public charge points (with their count).
with

current_values as ( select * from {{ ref('stg_energy_feed__values') }} where is_current )

select
    cast(network_id as varchar)               as network_id,
    cast(month as date)                       as month,
    cast(year as integer)                     as year,
    cast(case measure
        when 'chp_electricity' then 'produced'
        when 'electricity_distribution' then 'distributed'
        when 'public_charging' then 'public_charging'
        when 'charge_points' then 'charge_points'
    end as varchar)                           as flow,
    cast(category as varchar)                 as category,
    cast(unit as varchar)                     as unit,
    cast(value as double precision)           as value,
    cast('borlange_energi_feed' as varchar)   as source_id,
    cast(received_at as date)                 as vintage,
    cast('reported by the utility' as varchar) as method,
    cast(report_sha256 as varchar)            as report_sha256,
    cast(source_row as integer)               as source_row,
    cast(is_synthetic as boolean)             as is_synthetic
from current_values
where measure in ('chp_electricity', 'electricity_distribution', 'public_charging', 'charge_points')
