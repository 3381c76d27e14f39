-- The national LULUCF net removal allocated to kommuner by their share of productive forest land
-- (method `estimate_downscaled`). The key is published every five years: each LULUCF year uses the
-- NEAREST key year (the newer one on a tie), and every row names the key and its year.
-- Years where SCB has no LULUCF figure ('..') give no rows: unknown, never zero.
with

national as (
    select * from {{ ref('stg_scb__lulucf_national') }}
    where lulucf_net_t is not null
),

key as (select * from {{ ref('int_sinks__forest_key') }}),

key_years as (select distinct key_year from key),

nearest_key_year as (
    select
        year,
        key_year
    from (
        select
            national.year,
            key_years.key_year,
            row_number() over (
                partition by national.year
                order by abs(national.year - key_years.key_year), key_years.key_year desc
            ) as nearness_rank
        from national
        cross join key_years
    ) as ranked
    where nearness_rank = 1
)

select
    key.kommun_kod,
    national.year,
    -national.lulucf_net_t as national_removal_t,
    -national.lulucf_net_t * key.key_share as tonnes_co2_removed,
    key.key_share as allocation_share,
    key.key_description as allocation_key,
    key.key_year as allocation_key_year,
    key.key_is_synthetic,
    national.is_synthetic as national_is_synthetic,
    national.scb_table_id as national_table_id,
    national.scb_updated as national_updated,
    national.vintage as national_vintage,
    national.provenance_note as national_provenance,
    national.source_file_sha256 as national_file_sha256,
    key.source_file_sha256 as key_file_sha256
from national
inner join nearest_key_year using (year)
inner join key on nearest_key_year.key_year = key.key_year
