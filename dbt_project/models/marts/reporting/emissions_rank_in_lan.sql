-- Each kommun's rank within its län and within Sweden by territorial emissions per resident
-- (1 = the lowest). The one home of a rank: the report, the API and the site read it here.
with

per_capita as (
    select * from {{ ref('emissions_per_capita') }}
    where tonnes_per_capita is not null
),

kommuner as (
    select
        kommun_kod,
        kommun_namn,
        lan_kod,
        lan_namn
    from {{ ref('dim_kommun') }}
),

ranked as (
    select
        per_capita.kommun_kod,
        kommuner.kommun_namn,
        kommuner.lan_kod,
        kommuner.lan_namn,
        per_capita.year,
        per_capita.gas,
        per_capita.vintage,
        per_capita.tonnes,
        per_capita.population,
        per_capita.tonnes_per_capita,
        per_capita.unit,
        cast(rank() over (
            partition by kommuner.lan_kod, per_capita.year, per_capita.gas
            order by per_capita.tonnes_per_capita, per_capita.kommun_kod
        ) as integer) as rank_in_lan,
        cast(count(*) over (
            partition by kommuner.lan_kod, per_capita.year, per_capita.gas
        ) as integer) as kommuner_in_lan,
        cast(rank() over (
            partition by per_capita.year, per_capita.gas
            order by per_capita.tonnes_per_capita, per_capita.kommun_kod
        ) as integer) as rank_in_sweden,
        cast(count(*) over (
            partition by per_capita.year, per_capita.gas
        ) as integer) as kommuner_in_sweden
    from per_capita
    inner join kommuner on per_capita.kommun_kod = kommuner.kommun_kod
)

select * from ranked
