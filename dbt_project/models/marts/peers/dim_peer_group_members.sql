-- Who is in each peer group (seeds/peer_groups.csv): listed members from peer_group_members.csv,
-- a län's kommuner from the SCB code list, or kommuner of similar size and industrial structure
-- computed from the marts (population and the industry share of territorial CO2e, latest year).
with

groups as (select * from {{ ref('peer_groups') }}),

kommuner as (select * from {{ ref('dim_kommun') }}),

latest_year as (
    select max(year) as year
    from {{ ref('emissions_per_capita') }}
    where gas = 'CO2e' and in_latest_release and population is not null
),

structure as (
    select
        totals.kommun_kod,
        totals.year,
        totals.population,
        industry.tonnes / nullif(totals.tonnes, 0) as industry_share
    from {{ ref('emissions_per_capita') }} as totals
    inner join latest_year on totals.year = latest_year.year
    left join (
        select
            kommun_kod,
            year,
            {{ exact_sum('tonnes') }} as tonnes
        from {{ ref('fct_emissions') }}
        where gas = 'CO2e' and in_latest_release and huvudsektor = 'Industri (energi + processer)'
        group by kommun_kod, year
    ) as industry on totals.kommun_kod = industry.kommun_kod and totals.year = industry.year
    where totals.gas = 'CO2e' and totals.in_latest_release
),

listed as (
    select
        groups.group_id,
        members.kommun_kod,
        members.membership_verified,
        members.source,
        members.note
    from groups
    inner join {{ ref('peer_group_members') }} as members on groups.group_id = members.group_id
    where groups.membership_rule = 'listed'
),

by_lan as (
    select
        groups.group_id,
        kommuner.kommun_kod,
        groups.membership_verified,
        groups.source,
        cast(null as varchar) as note
    from groups
    inner join kommuner on groups.lan_kod = kommuner.lan_kod
    where groups.membership_rule = 'lan'
),

by_structure as (
    select
        groups.group_id,
        structure.kommun_kod,
        groups.membership_verified,
        groups.source,
        cast(null as varchar) as note
    from groups
    inner join structure
        on
            structure.population between groups.population_min and groups.population_max
            and groups.industry_share_min <= structure.industry_share
    where groups.membership_rule = 'similar_size_industry'
),

members as (
    select * from listed
    union all
    select * from by_lan
    union all
    select * from by_structure
)

select
    members.group_id,
    groups.group_name,
    groups.membership_rule,
    members.kommun_kod,
    kommuner.kommun_namn,
    kommuner.lan_kod,
    members.membership_verified,
    members.source,
    coalesce(members.note, groups.note) as note,
    structure.year as structure_year,
    structure.population as structure_population,
    structure.industry_share as structure_industry_share
from members
inner join groups on members.group_id = groups.group_id
left join kommuner on members.kommun_kod = kommuner.kommun_kod
left join structure on members.kommun_kod = structure.kommun_kod
