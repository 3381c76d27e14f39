-- Borlänge Energi's electricity per network and month: produced in the CHP plant, distributed
-- through the grid by customer category, and charged at public charge points (with their count).
with

current_values as (
    select * from {{ ref('stg_energy_feed__values') }}
    where is_current
)

select
    network_id,
    month,
    year,
    case measure
        when 'chp_electricity' then 'produced'
        when 'electricity_distribution' then 'distributed'
        when 'public_charging' then 'public_charging'
        when 'charge_points' then 'charge_points'
    end as flow,
    category,
    unit,
    value,
    'borlange_energi_feed' as source_id,
    cast(received_at as date) as vintage,
    'reported by the utility' as method,
    report_sha256,
    source_row,
    is_synthetic
from current_values
where measure in ('chp_electricity', 'electricity_distribution', 'public_charging', 'charge_points')
