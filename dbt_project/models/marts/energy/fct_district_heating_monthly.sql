-- Borlänge Energi's district heating per network and month, as reported (the file in force for
-- each network and month): heat production by source, fuel input (MWh and t) by fuel, purchased
-- heat, deliveries by customer category, network losses and the CHP plant's electricity.
with

current_values as (
    select * from {{ ref('stg_energy_feed__values') }}
    where is_current
)

select
    network_id,
    month,
    year,
    measure,
    category,
    unit,
    value,
    'borlange_energi_feed' as source_id,
    cast(received_at as date) as vintage,
    'reported by the utility' as method,
    report_sha256,
    file_name,
    source_row,
    source_column,
    is_synthetic
from current_values
where
    measure in (
        'heat_production',
        'fuel_input',
        'purchased_heat',
        'delivery',
        'network_loss',
        'chp_electricity'
    )
