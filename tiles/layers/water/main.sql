-- water up to z11: lakes, reservoirs and the rivers of the band's stream order and above (:'min_order'), 19 m generalisation.
SELECT id::bigint AS id, kind, name, geom_z9 AS geom
FROM water
WHERE (kind IN ('lake', 'reservoir') OR (kind = 'river' AND stream_order >= :'min_order'))
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
