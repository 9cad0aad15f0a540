-- clinics z11-12: county_hospital and township_health_centre.
SELECT id::bigint AS id, level, name, beds, doctors, geom_3857 AS geom
FROM clinic
WHERE level IN ('county_hospital', 'township_health_centre')
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
