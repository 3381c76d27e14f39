-- Sweden by SMHI main sector, gas and year, from the newest fetch of each cell.
with

source as (
    {{ newest_fetch(source('national_emissions', 'national_sector_emissions'),
                    partition_by=['sector_code', 'gas_code', 'year'],
                    order_by=['fetched_at desc', 'file_sha256']) }}
),

renamed as (
    select
        cast(year as integer) as year,
        cast(sector_code as varchar) as scb_sector_code,
        cast(huvudsektor as varchar) as huvudsektor,
        cast(gas_code as varchar) as scb_gas_code,
        cast(gas as varchar) as gas,
        cast(tonnes as double precision) as tonnes,
        cast(status as varchar) as status_symbol,
        cast(unit_raw as varchar) as unit_raw,
        cast(value_kind as varchar) as value_kind,
        cast(table_id as varchar) as scb_table_id,
        cast(updated as varchar) as scb_updated,
        cast(substr(updated, 1, 10) as date) as vintage,
        cast(provenance_note as varchar) as provenance_note,
        cast(file_sha256 as varchar) as source_file_sha256,
        cast(fetched_at as timestamp) as fetched_at
    from source
)

select * from renamed
