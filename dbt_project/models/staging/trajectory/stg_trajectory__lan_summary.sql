-- The län trajectory asset's summary, one row per län and method, as written (marts.trajectory_lan types it).
with

source as ( select * from {{ source('trajectory', 'lan_summary') }} )

select
    lan_kod,
    entity_level,
    {{ trajectory_summary_columns() }}
from source
