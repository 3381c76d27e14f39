-- Every carbon sink the warehouse knows, per kommun, year, sink type and source, as tonnes CO2
-- removed (POSITIVE). Each row says how it was estimated (method, quality class), how long the
-- carbon stays (permanence), its vintage, and whether the value is real, an assumption or
-- synthetic. Sources: the national LULUCF sink downscaled by forest land, partner-reported removals
-- inside the territory, and the manual seed of the municipality's own forest estate and local
-- projects.
with

downscaled as (select * from {{ ref('int_sinks__lulucf_downscaled') }}),

partner_removals as (
    select * from {{ ref('fct_partner_removals') }}
    where kommun_kod is not null
),

submissions as (select * from {{ ref('stg_partners__submissions') }}),

local_sinks as (select * from {{ ref('local_sinks') }}),

quality as (select * from {{ ref('sink_quality_classes') }}),

permanence as (select * from {{ ref('sink_permanence_classes') }}),

from_lulucf as (
    select
        kommun_kod,
        year,
        'forest_land_lulucf' as sink_type,
        'scb_lulucf' as source_id,
        'Naturvårdsverket (national inventory), via SCB' as reporter,
        'national LULUCF ' || national_table_id || ' ' || substr(national_file_sha256, 1, 12)
        || ' × key ' || substr(key_file_sha256, 1, 12) as source_ref,
        tonnes_co2_removed,
        'estimate_downscaled' as method,
        'downscaled' as quality_class,
        'under 100 år' as permanence,
        national_vintage as vintage,
        allocation_key,
        allocation_key_year,
        allocation_share,
        key_is_synthetic,
        case when key_is_synthetic or national_is_synthetic then 'synthetic' else 'estimate' end
            as value_status,
        'very high' as uncertainty_class,
        false as overlaps_lulucf
    from downscaled
),

from_partners as (
    select
        partner_removals.kommun_kod,
        partner_removals.year,
        partner_removals.removal_type as sink_type,
        'partner_removals' as source_id,
        partner_removals.partner_id as reporter,
        partner_removals.submission_sha256
        || ' row '
        || cast(partner_removals.source_row as varchar) as source_ref,
        partner_removals.tonnes_co2_removed,
        partner_removals.method,
        partner_removals.quality_class,
        partner_removals.permanence,
        coalesce(submissions.submitted_date, cast(submissions.received_at as date)) as vintage,
        cast(null as varchar) as allocation_key,
        cast(null as integer) as allocation_key_year,
        cast(null as double precision) as allocation_share,
        false as key_is_synthetic,
        'reported' as value_status,
        'medium' as uncertainty_class,
        -- Trees planted in the territory grow into the forest the national inventory measures.
        partner_removals.removal_type = 'trädplantering' as overlaps_lulucf
    from partner_removals
    left join submissions using (submission_sha256)
),

from_seed as (
    select
        kommun_kod,
        year,
        sink_type,
        'local_sinks_seed' as source_id,
        source_name as reporter,
        'local_sinks.csv: ' || sink_type || ' ' || cast(year as varchar) as source_ref,
        tonnes_co2_removed,
        method,
        quality_class,
        permanence,
        vintage,
        cast(null as varchar) as allocation_key,
        cast(null as integer) as allocation_key_year,
        cast(null as double precision) as allocation_share,
        false as key_is_synthetic,
        value_status,
        uncertainty_class,
        overlaps_lulucf
    from local_sinks
),

unioned as (
    select * from from_lulucf
    union all
    select * from from_partners
    union all
    select * from from_seed
)

select
    unioned.kommun_kod,
    unioned.year,
    unioned.sink_type,
    unioned.source_id,
    unioned.reporter,
    unioned.source_ref,
    unioned.tonnes_co2_removed,
    't CO2' as unit,
    unioned.method,
    unioned.quality_class,
    quality.quality_rank,
    unioned.permanence,
    permanence.permanence_rank,
    unioned.vintage,
    unioned.allocation_key,
    unioned.allocation_key_year,
    unioned.allocation_share,
    unioned.key_is_synthetic,
    unioned.value_status,
    unioned.uncertainty_class,
    unioned.overlaps_lulucf
from unioned
left join quality using (quality_class)
left join permanence using (permanence)
