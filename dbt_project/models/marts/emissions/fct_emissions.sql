-- Territorial emissions per kommun, year, sector and gas, at the most detailed grain
-- SMHI publishes, from the newest vintage that reports each year. Summing the rows of
-- a kommun, year and gas gives its total.
with

detail as (select * from {{ ref('int_smhi__kommun_detail_rows') }}),

latest as (select * from {{ ref('int_smhi__latest_vintage') }}),

source_info as (
    select * from {{ ref('data_sources') }}
    where source_id = 'smhi_ned'
),

final as (
    select
        detail.kommun_kod,
        detail.year,
        detail.huvudsektor,
        detail.undersektor,
        detail.gas,
        detail.vintage,
        detail.tonnes,
        case detail.gas when 'CO2e' then 't CO2e' else 't CO2' end as unit,
        detail.huvudsektor_code,
        detail.undersektor_code,
        detail.is_subsector_residual,
        latest.in_latest_release,
        source_info.source_id,
        source_info.method,
        detail.smhi_sub,
        detail.source_file_name,
        detail.source_file_sha256,
        detail.source_row
    from detail
    inner join latest
        on
            detail.gas = latest.gas
            and detail.kommun_kod = latest.kommun_kod
            and detail.year = latest.year
            and detail.vintage = latest.vintage
    cross join source_info
)

select * from final
