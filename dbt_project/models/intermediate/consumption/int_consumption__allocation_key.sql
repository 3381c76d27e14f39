-- The allocation key per kommun and year: the kommun's share of the sum of all kommuner's BRP in
-- the key year. The key year is the year itself where NR0105 has it; earlier years use NR0105's
-- first year (2012) and later years its last, as Klimatkollen does (Kons_Off 2008–2011 carry the
-- 2012 shares).
with

brp as (
    select * from {{ ref('stg_scb__brp') }}
    where key_value is not null
),

key_years as (
    select
        min(year) as first_key_year,
        max(year) as last_key_year
    from brp
),

national_years as (select distinct year from {{ ref('stg_scb__consumption_emissions') }}),

-- Summed as an exact decimal: a parallel double sum changes its last bits between runs, and
-- re-runs must give the same bytes (18 decimals keep shares of ~1e-3 to 1e-15 relative).
key_totals as (
    select
        year,
        cast(sum(cast(key_value as decimal(38, 18))) as double precision) as total
    from brp
    group by year
),

shares as (
    select
        brp.kommun_kod,
        brp.year as key_year,
        brp.key_value,
        brp.key_value / key_totals.total as share,
        brp.scb_table_id,
        brp.scb_contents_label,
        brp.key_unit,
        brp.scb_updated
    from brp
    inner join key_totals on brp.year = key_totals.year
),

years_to_key as (
    select
        national_years.year,
        case
            when national_years.year < key_years.first_key_year then key_years.first_key_year
            when national_years.year > key_years.last_key_year then key_years.last_key_year
            else national_years.year
        end as key_year
    from national_years
    cross join key_years
)

select
    shares.kommun_kod,
    years_to_key.year,
    years_to_key.key_year,
    shares.share,
    shares.key_value,
    shares.key_unit,
    shares.scb_table_id as key_table_id,
    shares.scb_contents_label as key_contents_label,
    shares.scb_updated as key_updated
from years_to_key
inner join shares on years_to_key.key_year = shares.key_year
