-- admin z10-12: county, township and village outlines (2.4 m generalisation); township and village labels.
SELECT code::bigint AS id, code, name, level, false AS label, geom_z12 AS geom
FROM admin_area
WHERE level IN ('county', 'township', 'village')
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
UNION ALL
SELECT NULL, code, name, level, true, label_3857
FROM admin_area
WHERE level IN ('township', 'village')
  AND label_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
