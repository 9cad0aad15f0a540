-- households z14-22: one point per registered household for the filtered year. No names, ID numbers or phones, ever.
-- ref: the opaque household id that the popup's URL takes (the numeric feature id never goes in a URL).
SELECT h.id, h.ref::text AS ref, h.village_code, y.status, h.main_cause, h.size,
       assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok) AS gaps,
       h.geom_3857 AS geom
FROM household h
JOIN household_year y ON y.household_id = h.id AND y.year = ($4::jsonb ->> 'year')::int
WHERE h.geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
  AND household_filter_matches($4::jsonb, y.status, h.main_cause,
        assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok))
