-- Every accepted report file, in the order it was accepted (load_seq).
with

source as (select * from {{ source('energy_feed', 'energy_feed_files') }})

select
    cast(sha256 as varchar) as report_sha256,
    cast(file_name as varchar) as file_name,
    cast(load_seq as integer) as load_seq,
    cast(received_at as timestamp) as received_at,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(declared_unit as varchar) as declared_unit,
    cast(source_note as varchar) as source_note,
    cast(is_synthetic as boolean) as is_synthetic
from source
