{%- set config = neutrality_config() -%}
-- How far each kommun is from climate neutral: gross territorial emissions beside the sinks by
-- quality class, never netted silently. Every net_* column is gross_emissions_t minus the
-- removals_* column of the same name (generic test net_beside_gross_and_removals).
--
-- Rows: every year with emissions in the newest SMHI release (CO2e) or with a sink (basis
-- 'observed'), plus one row per kommun for the target year (basis 'projection'): emissions on the
-- current trend of the trajectory check, against each sink held at its latest year.
-- Unknown is not zero: where the national LULUCF figure is missing, the downscaled sink, and every
-- total that needs it, is null.
--
-- Eligible sinks (residual_covered): quality at least '{{ config.min_quality }}' and permanence at
-- least '{{ config.min_permanence }}' (NEUTRALITY_MIN_QUALITY / NEUTRALITY_MIN_PERMANENCE). Rows
-- that are part of the forest the national inventory measures (overlaps_lulucf) are not added again
-- whenever the downscaled LULUCF sink itself is counted.
with

emissions as (
    select
        kommun_kod,
        year,
        tonnes as gross_emissions_t,
        vintage
    from {{ ref('emissions_per_capita') }}
    where gas = 'CO2e' and in_latest_release
),

trend as (
    select
        kommun_kod,
        year,
        emissions_t,
        emissions_kind
    from {{ ref('stg_trajectory__yearly_paths') }}
    where method = '{{ config.trend_method }}' and year = {{ config.target_year }}
),

sinks as (
    select
        *,
        quality_rank >= (
            select quality_classes.quality_rank
            from {{ ref('sink_quality_classes') }} as quality_classes
            where quality_classes.quality_class = '{{ config.min_quality }}'
        )
        and permanence_rank >= (
            select permanence_classes.permanence_rank
            from {{ ref('sink_permanence_classes') }} as permanence_classes
            where permanence_classes.permanence = '{{ config.min_permanence }}'
        ) as meets_threshold,
        quality_rank >= (
            select quality_classes.quality_rank
            from {{ ref('sink_quality_classes') }} as quality_classes
            where quality_classes.quality_class = '{{ config.min_quality }}'
        ) as meets_quality
    from {{ ref('fct_carbon_sinks') }}
),

-- Each sink stream's latest year up to the target year stands for the target year.
ranked_for_target as (
    select
        sinks.*,
        row_number() over (
            partition by
                sinks.kommun_kod,
                sinks.sink_type,
                sinks.source_id,
                sinks.reporter,
                sinks.method,
                sinks.permanence
            order by sinks.year desc
        ) as recency
    from sinks
    where sinks.year <= {{ config.target_year }}
),

{%- set sink_columns = 'kommun_kod, year, quality_class, overlaps_lulucf, tonnes_co2_removed, '
    ~ 'meets_threshold, meets_quality' %}

sink_rows as (
    select 'observed' as basis, year as balance_year, {{ sink_columns }} from sinks
    union all
    select 'projection' as basis, {{ config.target_year }} as balance_year, {{ sink_columns }}
    from ranked_for_target
    where recency = 1
),

lulucf_counted as (
    -- Is the downscaled LULUCF sink itself eligible (then overlapping rows are not added again)?
    select bool_or(meets_threshold) as downscaled_is_eligible
    from sinks
    where quality_class = 'downscaled'
),

per_kommun_year as (
    select
        sink_rows.kommun_kod,
        sink_rows.balance_year as year,
        sink_rows.basis,
        min(sink_rows.year) as sink_years_from,
        max(sink_rows.year) as sink_years_to,
        sum(
            case
                when sink_rows.quality_class = 'measured' then sink_rows.tonnes_co2_removed else 0
            end
        ) as removals_measured_t,
        sum(
            case
                when sink_rows.quality_class = 'reported' then sink_rows.tonnes_co2_removed else 0
            end
        ) as removals_reported_t,
        sum(
            case
                when sink_rows.quality_class = 'modelled' then sink_rows.tonnes_co2_removed else 0
            end
        ) as removals_modelled_t,
        sum(case when sink_rows.quality_class = 'downscaled' then sink_rows.tonnes_co2_removed end)
            as removals_downscaled_t,
        sum(
            case
                when
                    not sink_rows.overlaps_lulucf or sink_rows.quality_class = 'downscaled'
                    then sink_rows.tonnes_co2_removed
                else 0
            end
        ) as removals_without_overlap_t,
        sum(case
            when
                sink_rows.meets_threshold
                and (
                    not sink_rows.overlaps_lulucf
                    or not coalesce(lulucf_counted.downscaled_is_eligible, false)
                )
                then sink_rows.tonnes_co2_removed
            else 0
        end) as removals_eligible_known_t,
        sum(
            case
                when sink_rows.meets_quality and not sink_rows.meets_threshold
                    then sink_rows.tonnes_co2_removed
                else 0
            end
        ) as excluded_low_permanence_t,
        sum(case when sink_rows.quality_class = 'downscaled' then 1 else 0 end) > 0
            as has_downscaled
    from sink_rows
    cross join lulucf_counted
    group by sink_rows.kommun_kod, sink_rows.balance_year, sink_rows.basis
),

gross as (
    select
        kommun_kod,
        year,
        'observed' as basis,
        gross_emissions_t,
        'SMHI newest release (CO2e), vintage ' || cast(vintage as varchar) as emissions_source
    from emissions
    union all
    select
        kommun_kod,
        year,
        'projection' as basis,
        emissions_t as gross_emissions_t,
        'trajectory.yearly_paths, method {{ config.trend_method }}, '
        || coalesce(emissions_kind, 'no figure') as emissions_source
    from trend
),

joined as (
    select
        coalesce(gross.kommun_kod, per_kommun_year.kommun_kod) as kommun_kod,
        coalesce(gross.year, per_kommun_year.year) as year,
        coalesce(gross.basis, per_kommun_year.basis) as basis,
        gross.gross_emissions_t,
        gross.emissions_source,
        per_kommun_year.sink_years_from,
        per_kommun_year.sink_years_to,
        coalesce(per_kommun_year.removals_measured_t, 0) as removals_measured_t,
        coalesce(per_kommun_year.removals_reported_t, 0) as removals_reported_t,
        coalesce(per_kommun_year.removals_modelled_t, 0) as removals_modelled_t,
        per_kommun_year.removals_downscaled_t,
        coalesce(per_kommun_year.has_downscaled, false) as lulucf_available,
        -- Every class together, each tonne once; unknown when the LULUCF share is unknown.
        case
            when coalesce(per_kommun_year.has_downscaled, false)
                then per_kommun_year.removals_without_overlap_t
        end as removals_total_t,
        case when
            coalesce(lulucf_counted.downscaled_is_eligible, false)
            and not coalesce(per_kommun_year.has_downscaled, false) then null
        else coalesce(per_kommun_year.removals_eligible_known_t, 0) end as removals_eligible_t,
        coalesce(per_kommun_year.excluded_low_permanence_t, 0) as excluded_low_permanence_t
    from gross
    full outer join per_kommun_year
        on
            gross.kommun_kod = per_kommun_year.kommun_kod
            and gross.year = per_kommun_year.year
            and gross.basis = per_kommun_year.basis
    cross join lulucf_counted
)

select
    kommun_kod,
    cast(year as integer) as year,
    basis,
    gross_emissions_t,
    emissions_source,
    removals_measured_t,
    removals_reported_t,
    removals_modelled_t,
    removals_downscaled_t,
    lulucf_available,
    removals_total_t,
    gross_emissions_t - removals_total_t as net_total_t,
    '{{ config.min_quality }}' as min_quality_class,
    '{{ config.min_permanence }}' as min_permanence,
    removals_eligible_t,
    excluded_low_permanence_t,
    gross_emissions_t - removals_eligible_t as net_eligible_t,
    gross_emissions_t - removals_eligible_t <= 0 as residual_covered,
    sink_years_from,
    sink_years_to,
    't CO2e (emissions), t CO2 (removals)' as unit
from joined
