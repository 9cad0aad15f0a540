-- households z12-13: one point per registered household for the filtered year. No names, ID numbers or phones, ever.
-- ref: the opaque household id that the popup's URL takes (the numeric feature id never goes in a URL).
-- A tile here holds up to a few thousand households; the function (household_points_by_village.sql) reads
-- their rows of the year per village and hash-joins them instead of probing the year table once per household.
SELECT * FROM household_points_by_village($1, $2, $3, $4::jsonb)
