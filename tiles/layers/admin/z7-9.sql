-- admin z7-9: prefecture, county and township outlines (19 m generalisation); county and township labels.
SELECT code::bigint AS id, code, name, level, false AS label, geom_z9 AS geom
FROM admin_area
WHERE level IN ('prefecture', 'county', 'township')
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
UNION ALL
SELECT NULL, code, name, level, true, label_3857
FROM admin_area
WHERE level IN ('county', 'township')
  AND label_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
