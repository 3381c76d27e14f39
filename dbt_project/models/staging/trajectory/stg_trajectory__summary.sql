-- The trajectory asset's summary, one row per kommun and method, as written (marts.trajectory types it).
with

source as ( select * from {{ source('trajectory', 'summary') }} )

select
    kommun_kod,
    {{ trajectory_summary_columns() }}
from source
