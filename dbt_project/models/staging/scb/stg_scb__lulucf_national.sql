-- Sweden's LULUCF net flow per year, from the newest fetch. Negative = net removal.
with

source as (
    {{ newest_fetch(source('sinks', 'scb_lulucf_national'),
                    partition_by=['year'], order_by=['fetched_at desc', 'file_sha256']) }}
),

renamed as (
    select
        cast(year as integer) as year,
        cast(tonnes_co2e as double precision) as lulucf_net_t,
        cast(status as varchar) as status_symbol,
        cast(sector_code as varchar) as scb_sector_code,
        cast(gas_code as varchar) as scb_gas_code,
        cast(table_id as varchar) as scb_table_id,
        cast(updated as varchar) as scb_updated,
        cast(substr(updated, 1, 10) as date) as vintage,
        cast(is_synthetic as boolean) as is_synthetic,
        cast(provenance_note as varchar) as provenance_note,
        cast(file_sha256 as varchar) as source_file_sha256,
        cast(fetched_at as timestamp) as fetched_at
    from source
)

select * from renamed
