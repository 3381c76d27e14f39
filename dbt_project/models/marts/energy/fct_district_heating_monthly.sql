-- Borlänge Energi's district heating per network and month, as reported (the file in force for
-- each network and month): heat production by source, fuel input (MWh and t) by fuel, purchased
-- heat, deliveries by customer category, network losses and the CHP plant's electricity.
with

current_values as ( select * from {{ ref('stg_energy_feed__values') }} where is_current )

select
    cast(network_id as varchar)               as network_id,
    cast(month as date)                       as month,
    cast(year as integer)                     as year,
    cast(measure as varchar)                  as measure,
    cast(category as varchar)                 as category,
    cast(unit as varchar)                     as unit,
    cast(value as double precision)           as value,
    cast('borlange_energi_feed' as varchar)   as source_id,
    cast(received_at as date)                 as vintage,
    cast('reported by the utility' as varchar) as method,
    cast(report_sha256 as varchar)            as report_sha256,
    cast(file_name as varchar)                as file_name,
    cast(source_row as integer)               as source_row,
    cast(source_column as varchar)            as source_column,
    cast(is_synthetic as boolean)             as is_synthetic
from current_values
where measure in ('heat_production', 'fuel_input', 'purchased_heat', 'delivery', 'network_loss', 'chp_electricity')
