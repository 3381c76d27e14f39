{#- METER_ENGINE=spark (pipelines/lib/meter_spark.py): Spark builds the meter models from the lake
    (the spark target), and the warehouse's meter models load its tables instead of computing them
    (the source meter_spark, Parquet under var meter_spark_dir): same relations, contracts and data
    tests, so everything downstream reads what it always read. -#}
{% macro meter_marts_from_spark() -%}
    {{ return(target.type != 'spark' and var('meter_engine', 'duckdb') == 'spark') }}
{%- endmacro %}

{#- The model's table as Spark wrote it, each contract column cast to its declared type. -#}
{% macro meter_spark_table() -%}
    {%- set columns = model.columns.values() | selectattr('data_type') | list if execute else [] -%}
select
    {%- for column in columns %}
    cast({{ column.name }} as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
    {%- else %}
    *
    {%- endfor %}
from {{ source('meter_spark', model.name) }}
{%- endmacro %}
