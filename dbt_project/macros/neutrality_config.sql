{#- The settings of the climate-neutrality check, from dbt vars, else environment variables, else
    the defaults (README, "Carbon sinks"):
    - min_quality: the lowest sink quality class that counts towards covering residual emissions;
    - min_permanence: the lowest permanence class that counts;
    - trend_method: the trajectory preset whose trend gives the projected emissions;
    - target_year: the year of the projection. -#}
{% macro neutrality_config() %}
    {%- set qualities = ['measured', 'reported', 'modelled', 'downscaled'] -%}
    {%- set permanences = ['över 1000 år', '100–1000 år', 'under 100 år'] -%}
    {%- set quality = var('neutrality_min_quality', env_var('NEUTRALITY_MIN_QUALITY', 'reported')) | trim -%}
    {%- set permanence = var('neutrality_min_permanence', env_var('NEUTRALITY_MIN_PERMANENCE', '100–1000 år'))
                         | trim | replace('100-1000', '100–1000') -%}
    {%- if quality not in qualities -%}
        {{ exceptions.raise_compiler_error("NEUTRALITY_MIN_QUALITY / var neutrality_min_quality is '" ~ quality
                                           ~ "'; expected one of " ~ qualities | join(', ')) }}
    {%- endif -%}
    {%- if permanence not in permanences -%}
        {{ exceptions.raise_compiler_error("NEUTRALITY_MIN_PERMANENCE / var neutrality_min_permanence is '" ~ permanence
                                           ~ "'; expected one of " ~ permanences | join(', ')) }}
    {%- endif -%}
    {{ return({
        'min_quality': quality,
        'min_permanence': permanence,
        'trend_method': var('neutrality_trend_method', env_var('NEUTRALITY_TREND_METHOD', 'carbon_law')),
        'target_year': var('neutrality_target_year', env_var('NEUTRALITY_TARGET_YEAR', '2030')) | int,
    }) }}
{% endmacro %}
