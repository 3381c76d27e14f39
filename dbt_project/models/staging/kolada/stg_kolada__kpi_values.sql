-- Kolada KPI values, newest fetch per KPI, id, year and gender; typed, with the SCB area code.
with

source as (
    {{ newest_fetch(
        source('kolada', 'kolada_kpi_values'),
        ['kpi', 'municipality', 'year', 'gender'],
        ['fetched_at desc', 'file_sha256']
    ) }}
)

select
    cast(kpi as varchar) as kpi_id,
    cast(municipality as varchar) as kolada_id,
    cast(case
        when municipality = '0000' then 'riket'
        when municipality like '00%' then 'lan' else 'kommun'
    end as varchar) as geo_level,
    cast(case
        when municipality = '0000' then '00'
        when municipality like '00%' then substr(municipality, 3) else municipality
    end as varchar) as area_kod,
    cast(year as integer) as year,
    cast(gender as varchar) as gender,
    cast(value as double precision) as value,
    cast(status as varchar) as status,
    cast(count as integer) as member_count,
    cast(is_deleted as boolean) as is_deleted,
    cast(note as varchar) as replay_note,
    cast(is_synthetic as boolean) as is_synthetic,
    cast(is_derived as boolean) as is_derived,
    cast(fetched_at as timestamp) as fetched_at,
    cast(fetched_at as date) as vintage,
    cast(file_sha256 as varchar) as source_file_sha256,
    cast(url as varchar) as source_url
from source
