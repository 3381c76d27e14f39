-- SCB population: the newest fetch of each kommun and year.
with

source as (
    {{ newest_fetch(source('scb', 'scb_population'),
                    partition_by=['kommun_kod', 'year'], order_by=['fetched_at desc', 'file_sha256']) }}
),

renamed as (
    select
        ----------  keys
        cast(kommun_kod as varchar) as kommun_kod,
        cast(year as integer) as year,
        ----------  measure
        cast(population as bigint) as population,
        cast(status as varchar) as status_symbol,
        ----------  provenance
        cast(table_id as varchar) as scb_table_id,
        cast(contents_code as varchar) as scb_contents_code,
        cast(updated as varchar) as scb_updated,
        cast(file_sha256 as varchar) as source_file_sha256,
        cast(fetched_at as timestamp) as fetched_at
    from source
)

select * from renamed
