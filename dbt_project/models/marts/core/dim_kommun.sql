-- The 290 kommuner with their län, from SCB's code list.
select
    cast(kommun_kod as varchar)  as kommun_kod,
    cast(kommun_namn as varchar) as kommun_namn,
    cast(lan_kod as varchar)     as lan_kod,
    cast(lan_namn as varchar)    as lan_namn
from {{ ref('scb_kommuner') }}
