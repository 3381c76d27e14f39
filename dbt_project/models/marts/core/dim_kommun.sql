-- The 290 kommuner with their län, from SCB's code list.
select
    kommun_kod,
    kommun_namn,
    lan_kod,
    lan_namn
from {{ ref('scb_kommuner') }}
