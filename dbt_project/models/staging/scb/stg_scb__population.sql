-- SCB population: the newest fetch of each kommun and year.
with

source as ( select * from {{ source('scb', 'scb_population') }} ),

renamed as (
    select
        ----------  keys
        cast(kommun_kod as varchar)         as kommun_kod,
        cast(year as integer)               as year,
        ----------  measure
        cast(population as bigint)          as population,
        cast(status as varchar)             as status_symbol,
        ----------  provenance
        cast(table_id as varchar)           as scb_table_id,
        cast(contents_code as varchar)      as scb_contents_code,
        cast(updated as varchar)            as scb_updated,
        cast(file_sha256 as varchar)        as source_file_sha256,
        cast(fetched_at as timestamp)       as fetched_at
    from source
),

ranked as (
    select
        *,
        row_number() over (partition by kommun_kod, year order by fetched_at desc, source_file_sha256) as fetch_rank
    from renamed
),

newest_fetch as (
    select
        kommun_kod, year, population, status_symbol, scb_table_id, scb_contents_code,
        scb_updated, source_file_sha256, fetched_at
    from ranked
    where fetch_rank = 1
)

select * from newest_fetch
