{#- The meter lake's Parquet files of one kind ('values' or 'revisions') under var meter_lake_root
    (pipelines/lib/meter_lake.py): the glob when at least one file exists, else none, so that the
    staging models are empty (not an error) before the first meter file. Only a local lake: DuckDB's
    httpfs is not available, so an s3:// lake is read from a local sync (docs/operators.md). -#}
{% macro meter_lake_files(kind) -%}
    {{ return(adapter.dispatch('meter_lake_files')(kind)) }}
{%- endmacro %}

{% macro default__meter_lake_files(kind) -%}
    {%- set root = var('meter_lake_root', '') -%}
    {%- set pattern = root ~ '/' ~ kind ~ '/kommun=' ~ var('meter_kommun', '2081') ~ '/*/*/*.parquet' -%}
    {%- if not execute or not root or root.startswith('s3://') -%}{{ return(none) }}{%- endif -%}
    {%- set found = run_query("select count(*) from glob(" ~ quote_literal_sql(pattern) ~ ")").columns[0].values()[0] -%}
    {{ return(pattern if found > 0 else none) }}
{%- endmacro %}

{#- Spark reads the kommun's folder of the kind whole and finds the partition folders (medium=,
    month=) itself; an s3:// lake as s3a:// (the cluster's S3 connector). The lake is not empty:
    pipelines/lib/meter_spark.py builds on Spark only after a partition is written. -#}
{% macro spark__meter_lake_files(kind) -%}
    {%- set root = var('meter_lake_root', '') -%}
    {%- set folder = kind ~ '/kommun=' ~ var('meter_kommun', '2081') -%}
    {{ return((root | replace('s3://', 's3a://', 1)) ~ '/' ~ folder if root else none) }}
{%- endmacro %}

{#- The lake's values or revisions as a relation: DuckDB's read_parquet of the glob with the hive
    partitions as text, Spark's parquet.`folder` (its session reads the partition folders as text and
    merges the files' schemas: profiles.yml). -#}
{% macro meter_lake_scan(kind, files) -%}
    {{ return(adapter.dispatch('meter_lake_scan')(kind, files)) }}
{%- endmacro %}

{% macro default__meter_lake_scan(kind, files) -%}
    {%- if kind == 'values' -%}
        read_parquet({{ quote_literal_sql(files) }}, hive_partitioning = true,
                     hive_types = {'medium': varchar, 'month': varchar})
    {%- else -%}
        read_parquet({{ quote_literal_sql(files) }}, hive_partitioning = false, union_by_name = true)
    {%- endif -%}
{%- endmacro %}

{% macro spark__meter_lake_scan(kind, files) -%}
    parquet.`{{ files }}`
{%- endmacro %}

{#- Whole Wh as exact kWh, DECIMAL(18, 3): 15-minute values add up to their hour without rounding. -#}
{% macro wh_to_kwh(wh) -%}
    cast(cast({{ wh }} as decimal(18, 0)) * 0.001 as decimal(18, 3))
{%- endmacro %}
