-- admin z13+: township and village outlines at full detail; village labels.
SELECT code::bigint AS id, code, name, level, false AS label, geom_3857 AS geom
FROM admin_area
WHERE level IN ('township', 'village')
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
UNION ALL
SELECT NULL, code, name, level, true, label_3857
FROM admin_area
WHERE level = 'village'
  AND label_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
