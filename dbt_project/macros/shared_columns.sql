{#- The columns fct_emissions_lan and fct_emissions_sweden share: one SMHI area row (län or Sweden,
    from int_smhi__area_sector_rows) with its unit and provenance. -#}
{% macro smhi_area_emission_columns(area, source_info) -%}
    {{ area }}.year,
    {{ area }}.huvudsektor,
    {{ area }}.huvudsektor_code,
    {{ area }}.gas,
    {{ area }}.vintage,
    {{ area }}.tonnes,
    case {{ area }}.gas when 'CO2e' then 't CO2e' else 't CO2' end as unit,
    {{ area }}.in_latest_release,
    {{ source_info }}.source_id,
    {{ area }}.smhi_sub,
    {{ area }}.source_file_name,
    {{ area }}.source_file_sha256,
    {{ area }}.source_row
{%- endmacro %}


{#- The trajectory summary's columns after its entity key, typed as the Python assets write them
    (pipelines/defs/trajectory; years as bigint): one list for the kommun and the län summaries. -#}
{% macro trajectory_summary_columns() -%}
    cast(method as varchar)                     as method,
    cast(as_of_year as bigint)                  as as_of_year,
    cast(last_data_year as bigint)              as last_data_year,
    cast(gas as varchar)                        as gas,
    cast(trend_years as varchar)                as trend_years,
    cast(slope_t_per_year as double precision)  as slope_t_per_year,
    cast(trend_sum_t as double precision)       as trend_sum_t,
    cast(allowed_sum_t as double precision)     as allowed_sum_t,
    cast(meets_paris as boolean)                as meets_paris,
    cast(net_zero_date as date)                 as net_zero_date,
    cast(budget_t as double precision)          as budget_t,
    cast(budget_exhausted_date as date)         as budget_exhausted_date,
    cast(required_reduction_pct as double precision) as required_reduction_pct,
    cast(gap_2030_t as double precision)        as gap_2030_t,
    cast(trend_intercept_t as double precision) as trend_intercept_t,
    cast(trend_method as varchar)               as trend_method,
    cast(reduction_rate as double precision)    as reduction_rate,
    cast(scope_status as varchar)               as scope_status,
    cast(excluded_t as double precision)        as excluded_t,
    cast(budget_negative as boolean)            as budget_negative
{%- endmacro %}


{#- The measure and provenance columns of an SCB KRE cell (stg_scb__energy_cells), in the order
    fct_energy_production and fct_energy_use share after their own category columns. -#}
{% macro scb_energy_cell_columns() -%}
    mwh,
    status,
    is_confidential,
    is_total,
    unit,
    source_id,
    table_id,
    contents_code,
    vintage,
    is_synthetic,
    file_sha256
{%- endmacro %}
