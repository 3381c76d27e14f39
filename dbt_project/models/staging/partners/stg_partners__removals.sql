-- The removals sheet of each partner's submission in force (macro current_partner_rows).
{{ current_partner_rows('partner_removals') }}
