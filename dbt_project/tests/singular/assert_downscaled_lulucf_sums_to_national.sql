{{ config(meta={'dagster': {'ref': {'name': 'fct_carbon_sinks'}}}) }}
-- The national LULUCF total is conserved: the downscaled kommun sinks of each year sum back to the
-- national net removal within 1 t.
select
    national.year,
    -national.lulucf_net_t as national_removal_t,
    sum(sinks.tonnes_co2_removed) as kommun_sum_t
from {{ ref('stg_scb__lulucf_national') }} as national
left join {{ ref('fct_carbon_sinks') }} as sinks
    on national.year = sinks.year and sinks.method = 'estimate_downscaled'
where national.lulucf_net_t is not null
group by national.year, national.lulucf_net_t
having
    sum(sinks.tonnes_co2_removed) is null
    or abs(sum(sinks.tonnes_co2_removed) + national.lulucf_net_t) > 1
