{#- The few constructs of the meter models that DuckDB and Spark spell differently (METER_ENGINE,
    pipelines/lib/meter_spark.py). DuckDB's spelling is the default, so its build is the one it
    always was. -#}

{#- Saturday or Sunday. -#}
{% macro is_weekend(timestamp) -%}
    {{ return(adapter.dispatch('is_weekend')(timestamp)) }}
{%- endmacro %}

{% macro default__is_weekend(timestamp) -%}
    isodow({{ timestamp }}) >= 6
{%- endmacro %}

{#- Spark's weekday(): 0 for Monday ... 6 for Sunday. -#}
{% macro spark__is_weekend(timestamp) -%}
    weekday({{ timestamp }}) >= 5
{%- endmacro %}

{#- The seconds of the calendar month that starts on `month` (a date), as a double. -#}
{% macro month_seconds(month) -%}
    {{ return(adapter.dispatch('month_seconds')(month)) }}
{%- endmacro %}

{% macro default__month_seconds(month) -%}
    epoch(cast({{ month }} as timestamp) + interval 1 month - cast({{ month }} as timestamp))
{%- endmacro %}

{#- Spark has no epoch() of an interval: the month's days (the session is in UTC, no DST). -#}
{% macro spark__month_seconds(month) -%}
    cast(datediff(add_months({{ month }}, 1), {{ month }}) * 86400 as double)
{%- endmacro %}

{#- The warehouse's inputs of the meter models besides the lake: ref() in the warehouse; on Spark,
    which sees no warehouse, the Parquet copy pipelines/lib/meter_spark.py exports before the build
    (under var meter_spark_dir). -#}
{% macro meter_input(name) -%}
    {{ return(adapter.dispatch('meter_input')(name)) }}
{%- endmacro %}

{% macro default__meter_input(name) -%}
    {{ ref(name) }}
{%- endmacro %}

{% macro spark__meter_input(name) -%}
    parquet.`{{ var('meter_spark_dir') }}/inputs/{{ name }}`
{%- endmacro %}

