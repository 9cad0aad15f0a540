-- clinics up to z12: the band's levels (:'levels').
SELECT id::bigint AS id, level, name, beds, doctors, geom_3857 AS geom
FROM clinic
WHERE level = ANY (:'levels'::text[])
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
