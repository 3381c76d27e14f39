-- Both SMHI exports in one long table: renamed and typed, nothing dropped or mapped yet.
with

ggt as (select * from {{ source('smhi', 'smhi_emissions_ggt') }}),

co2 as (select * from {{ source('smhi', 'smhi_emissions_co2') }}),

unioned as (
    select * from ggt
    union all
    select * from co2
),

renamed as (
    select {{ smhi_export_columns() }}
    from unioned
)

select * from renamed
