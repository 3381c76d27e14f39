-- Productive forest land per kommun and year (hectares), from the newest fetch of the key.
with

source as (
    {{ newest_fetch(source('sinks', 'scb_forest_land'),
                    partition_by=['kommun_kod', 'year'], order_by=['fetched_at desc', 'file_sha256']) }}
),

renamed as (
    select
        cast(kommun_kod as varchar) as kommun_kod,
        cast(year as integer) as year,
        cast(hectares as double precision) as hectares,
        cast(status as varchar) as status_symbol,
        cast(key_source as varchar) as key_source,
        cast(key_description as varchar) as key_description,
        cast(table_id as varchar) as scb_table_id,
        cast(updated as varchar) as scb_updated,
        cast(is_synthetic as boolean) as is_synthetic,
        cast(provenance_note as varchar) as provenance_note,
        cast(file_sha256 as varchar) as source_file_sha256,
        cast(fetched_at as timestamp) as fetched_at
    from source
)

select * from renamed
