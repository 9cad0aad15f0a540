-- admin z0-6: province, prefecture and county outlines (150 m generalisation) and prefecture labels.
SELECT code::bigint AS id, code, name, level, false AS label, geom_z6 AS geom
FROM admin_area
WHERE level IN ('province', 'prefecture', 'county')
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
UNION ALL
SELECT NULL, code, name, level, true, label_3857
FROM admin_area
WHERE level = 'prefecture'
  AND label_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
