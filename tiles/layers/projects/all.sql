-- projects from z8: every project (point, line or polygon) with type, stage and money in 10k yuan.
SELECT id::bigint AS id, type, stage, year, name,
       round((budget_yuan / 1e4)::numeric, 1)::float8 AS budget_wan, round((spent_yuan / 1e4)::numeric, 1)::float8 AS spent_wan,
       geom_3857 AS geom
FROM project
WHERE geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
  AND ($4::jsonb -> 'type' IS NULL OR $4::jsonb -> 'type' ? type)
  AND ($4::jsonb -> 'stage' IS NULL OR $4::jsonb -> 'stage' ? stage)
