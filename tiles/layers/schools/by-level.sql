-- schools up to z12: the band's levels (:'levels').
SELECT id::bigint AS id, level, name, capacity, geom_3857 AS geom
FROM school
WHERE level = ANY (:'levels'::text[])
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
