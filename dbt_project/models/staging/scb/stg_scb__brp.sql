-- SCB NR0105: the allocation key per kommun and year (BRP, or the offline payload's reconstructed
-- shares; only relative sizes matter), the newest fetch of each kommun and year.
with

source as (
    {{ newest_fetch(source('scb_consumption', 'scb_brp'),
                    partition_by=['kommun_kod', 'year'], order_by=['fetched_at desc', 'file_sha256']) }}
),

renamed as (
    select
        cast(kommun_kod as varchar) as kommun_kod,
        cast(year as integer) as year,
        cast(value as double precision) as key_value,
        cast(unit_raw as varchar) as key_unit,
        cast(contents_code as varchar) as scb_contents_code,
        cast(contents_label as varchar) as scb_contents_label,
        cast(status as varchar) as status_symbol,
        cast(table_id as varchar) as scb_table_id,
        cast(updated as varchar) as scb_updated,
        cast(file_sha256 as varchar) as source_file_sha256,
        cast(fetched_at as timestamp) as fetched_at
    from source
)

select * from renamed
