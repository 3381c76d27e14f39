-- The allocation key: each kommun's share of the country's productive forest land, per key year.
-- Shares sum to exactly 1 per key year over the kommuner with a figure; a kommun without forest
-- land has share 0, one with SCB's '..' has no row (and gets no downscaled sink).
with

forest as (
    select * from {{ ref('stg_scb__forest_land') }}
    where hectares is not null
),

totals as (
    select
        year,
        sum(hectares) as national_hectares
    from forest
    group by year
)

select
    forest.kommun_kod,
    forest.year as key_year,
    forest.hectares,
    totals.national_hectares,
    {{ float_divide('forest.hectares', 'totals.national_hectares') }} as key_share,
    forest.key_source,
    forest.key_description,
    forest.scb_table_id,
    forest.scb_updated,
    forest.is_synthetic as key_is_synthetic,
    forest.source_file_sha256
from forest
inner join totals using (year)
where totals.national_hectares > 0
