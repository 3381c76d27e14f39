-- Sweden's LULUCF net flow per year, from the newest fetch. Negative = net removal.
with

source as ( select * from {{ source('sinks', 'scb_lulucf_national') }} ),

renamed as (
    select
        cast(year as integer)               as year,
        cast(tonnes_co2e as double precision) as lulucf_net_t,
        cast(status as varchar)             as status_symbol,
        cast(sector_code as varchar)        as scb_sector_code,
        cast(gas_code as varchar)           as scb_gas_code,
        cast(table_id as varchar)           as scb_table_id,
        cast(updated as varchar)            as scb_updated,
        cast(is_synthetic as boolean)       as is_synthetic,
        cast(provenance_note as varchar)    as provenance_note,
        cast(file_sha256 as varchar)        as source_file_sha256,
        cast(fetched_at as timestamp)       as fetched_at
    from source
),

ranked as (
    select *, row_number() over (partition by year order by fetched_at desc, source_file_sha256) as fetch_rank
    from renamed
)

select
    year, lulucf_net_t, status_symbol, scb_sector_code, scb_gas_code, scb_table_id, scb_updated,
    is_synthetic, provenance_note, source_file_sha256, fetched_at
from ranked
where fetch_rank = 1
