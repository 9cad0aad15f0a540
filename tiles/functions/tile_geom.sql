-- What ST_AsMVTGeom does, for the embedded PostGIS which lacks protobuf (server/tiles/mvt-encoder.ts):
-- clip to the buffered tile, map to tile units with y down, snap to the integer grid. Exterior rings are
-- forced clockwise in world coordinates so that after the y flip they wind as the MVT spec requires.
CREATE OR REPLACE FUNCTION tile_geom(g geometry, z integer, x integer, y integer, extent integer DEFAULT 4096, buffer integer DEFAULT 64)
RETURNS geometry LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH b AS (SELECT ST_TileEnvelope(z, x, y) AS env),
  s AS (SELECT ST_XMin(env) AS x0, ST_YMax(env) AS y1, extent / (ST_XMax(env) - ST_XMin(env)) AS k, env FROM b)
  SELECT ST_RemoveRepeatedPoints(ST_SnapToGrid(
    ST_Affine(ST_ForcePolygonCW(ST_ClipByBox2D(g, ST_Expand(env, buffer / k))), k, 0, 0, -k, -x0 * k, y1 * k), 1))
  FROM s
$$;
