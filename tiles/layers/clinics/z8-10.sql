-- clinics z8-10: county_hospital only.
SELECT id::bigint AS id, level, name, beds, doctors, geom_3857 AS geom
FROM clinic
WHERE level = 'county_hospital'
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
