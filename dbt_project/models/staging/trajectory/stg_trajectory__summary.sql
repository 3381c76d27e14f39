-- The trajectory asset's summary, one row per kommun and method, typed as the asset writes it.
with

source as (select * from {{ source('trajectory', 'summary') }})

select
    cast(kommun_kod as varchar) as kommun_kod,
    {{ trajectory_summary_columns() }}
from source
