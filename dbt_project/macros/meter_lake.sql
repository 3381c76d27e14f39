{#- The meter lake's Parquet files of one kind ('values' or 'revisions') under var meter_lake_root
    (pipelines/lib/meter_lake.py): the glob when at least one file exists, else none, so that the
    staging models are empty (not an error) before the first meter file. Only a local lake: DuckDB's
    httpfs is not available, so an s3:// lake is read from a local sync (docs/operators.md). -#}
{% macro meter_lake_files(kind) -%}
    {%- set root = var('meter_lake_root', '') -%}
    {%- set pattern = root ~ '/' ~ kind ~ '/kommun=' ~ var('meter_kommun', '2081') ~ '/*/*/*.parquet' -%}
    {%- if not execute or not root or root.startswith('s3://') -%}{{ return(none) }}{%- endif -%}
    {%- set found = run_query("select count(*) from glob(" ~ quote_literal_sql(pattern) ~ ")").columns[0].values()[0] -%}
    {{ return(pattern if found > 0 else none) }}
{%- endmacro %}

{#- Whole Wh as exact kWh, DECIMAL(18, 3): 15-minute values add up to their hour without rounding. -#}
{% macro wh_to_kwh(wh) -%}
    cast(cast({{ wh }} as decimal(18, 0)) * 0.001 as decimal(18, 3))
{%- endmacro %}
