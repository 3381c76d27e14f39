-- SEI Konsumtionskompassen: household emissions per capita, the newest file of each data year
-- (every row of that file: dense_rank).
with

source as (
    {{ newest_fetch(source('sei', 'sei_household_emissions'), partition_by=['data_year'],
                    order_by=['vintage desc', 'fetched_at desc', 'file_sha256'], rank_function='dense_rank') }}
),

renamed as (
    select
        cast(kommun_kod as varchar) as kommun_kod,
        cast(data_year as integer) as year,
        cast(kg_co2e_per_capita as double precision) as kg_co2e_per_capita,
        cast(kommun_namn_raw as varchar) as kommun_namn_raw,
        cast(kommungrupp_kod as integer) as kommungrupp_kod,
        cast(vintage as date) as vintage,
        cast(file_name as varchar) as source_file_name,
        cast(sheet as varchar) as source_sheet,
        cast(source_row as integer) as source_row,
        cast(file_sha256 as varchar) as source_file_sha256
    from source
)

select * from renamed
