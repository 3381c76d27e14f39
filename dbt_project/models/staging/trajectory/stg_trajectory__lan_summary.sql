-- The län trajectory asset's summary, one row per län and method, typed as the asset writes it.
with

source as (select * from {{ source('trajectory', 'lan_summary') }})

select
    cast(lan_kod as varchar) as lan_kod,
    cast(entity_level as varchar) as entity_level,
    {{ trajectory_summary_columns() }}
from source
