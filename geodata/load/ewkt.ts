import type { Geometry, Position } from 'geojson'

/**
 * GeoJSON → EWKT with SRID 4326: the text form PostGIS's geometry input accepts inside COPY,
 * identical on PGlite and on a server.
 */
export function toEwkt(g: Geometry): string {
  return `SRID=4326;${wkt(g)}`
}

const pos = (p: Position) => `${p[0]} ${p[1]}`
const ring = (r: Position[]) => `(${r.map(pos).join(',')})`
const poly = (rings: Position[][]) => `(${rings.map(ring).join(',')})`

function wkt(g: Geometry): string {
  switch (g.type) {
    case 'Point':
      return `POINT(${pos(g.coordinates)})`
    case 'LineString':
      return `LINESTRING${ring(g.coordinates)}`
    case 'Polygon':
      return `POLYGON${poly(g.coordinates)}`
    case 'MultiPoint':
      return `MULTIPOINT(${g.coordinates.map((p) => `(${pos(p)})`).join(',')})`
    case 'MultiLineString':
      return `MULTILINESTRING(${g.coordinates.map(ring).join(',')})`
    case 'MultiPolygon':
      return `MULTIPOLYGON(${g.coordinates.map(poly).join(',')})`
    case 'GeometryCollection':
      return `GEOMETRYCOLLECTION(${g.geometries.map(wkt).join(',')})`
  }
}
