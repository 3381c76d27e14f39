{#- The columns of an SMHI export's raw table, renamed and typed: the published exports
    (stg_smhi__emissions) and the nowcast's archived releases (stg_smhi__archived_releases). -#}
{% macro smhi_export_columns() %}
        ----------  release
        cast(vintage as date) as vintage,
        cast(sub as varchar) as smhi_sub,
        cast(gas as varchar) as gas,
        cast(unit_raw as varchar) as unit_raw,
        ----------  geography
        cast(level as varchar) as geo_level,
        cast(lan_kod as varchar) as lan_kod,
        cast(kommun_kod as varchar) as kommun_kod,
        ----------  sector as written in the file
        cast(huvudsektor_raw as varchar) as huvudsektor_raw,
        cast(undersektor_raw as varchar) as undersektor_raw,
        ----------  measure
        cast(year as integer) as year,
        cast(tonnes as double precision) as tonnes,
        ----------  provenance
        cast(file_sha256 as varchar) as source_file_sha256,
        cast(file_name as varchar) as source_file_name,
        cast(sheet as varchar) as source_sheet,
        cast(source_row as integer) as source_row,
        cast(fetched_at as timestamp) as fetched_at
{% endmacro %}
