-- SCB MI1301: national consumption-based greenhouse-gas emissions by use, the newest fetch of each
-- use and year.
with

source as (
    {{ newest_fetch(source('scb_consumption', 'scb_consumption_emissions'),
                    partition_by=['use_code', 'year'], order_by=['fetched_at desc', 'file_sha256']) }}
),

renamed as (
    select
        cast(component as varchar) as component,
        cast(use_code as varchar) as scb_use_code,
        cast(use_label as varchar) as scb_use_label,
        cast(year as integer) as year,
        cast(tonnes as double precision) as tonnes,
        cast(status as varchar) as status_symbol,
        cast(table_id as varchar) as scb_table_id,
        cast(updated as varchar) as scb_updated,
        cast(substr(updated, 1, 10) as date) as vintage,
        cast(file_sha256 as varchar) as source_file_sha256,
        cast(fetched_at as timestamp) as fetched_at
    from source
    -- A use the loader maps to none of the three components is not kept.
    where component is not null
)

select * from renamed
