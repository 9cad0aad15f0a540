import { describe, expect, it } from 'vitest'
import { FIXTURE } from '../../helpers/fixture-dataset.js'
import { BUFFERED, fixtureTile, layerTileTest, sortedIds, wkt } from '../layer-tiles.js'

const [X0, Y0] = FIXTURE.origin
const c = FIXTURE.cell

describe('water tiles', () => {
  // Beside the fixture's river (stream order 3) and supply works: a lake and rivers of orders 2 and 1.
  const tiles = layerTileTest({
    more: async (db) => {
      const add = (id: number, kind: string, order: number | null, geom: string) =>
        db.query('INSERT INTO water (id, kind, name, stream_order, geom) VALUES ($1, $2, $3, $4, ST_GeomFromEWKT($5))', [id, kind, `${kind} ${id}`, order, geom])
      await add(11, 'lake', null, wkt('POLYGON', [[X0 + 0.005, Y0 + 0.025], [X0 + 0.015, Y0 + 0.025], [X0 + 0.015, Y0 + 0.035], [X0 + 0.005, Y0 + 0.035]]))
      await add(12, 'river', 2, wkt('LINESTRING', [[X0, Y0 + 0.02], [X0 + 2 * c, Y0 + 0.022]]))
      await add(13, 'river', 1, wkt('LINESTRING', [[X0 + 0.02, Y0], [X0 + 0.021, Y0 + 2 * c]]))
    },
  })
  const expected = (at: { z: number; x: number; y: number }, minOrder: number | null, geom: string) =>
    tiles.rows<{ id: number }>(
      `SELECT id FROM water
       WHERE ($4::int IS NULL OR kind IN ('lake', 'reservoir') OR (kind = 'river' AND stream_order >= $4)) AND ST_Intersects(${geom}, ${BUFFERED})`,
      at,
      [minOrder],
    )

  for (const [z, minOrder, geom, what] of [
    [7, 3, 'geom_z9', 'lakes, reservoirs and rivers of order 3 and above'],
    [10, 2, 'geom_z9', 'lakes, reservoirs and rivers of order 2 and above'],
    [13, null, 'geom_3857', 'everything, supply works included'],
  ] as const) {
    it(`z${z}: ${what}, as SQL finds them`, async () => {
      const at = fixtureTile(z)
      const got = await tiles.features('water', at)
      const want = await expected(at, minOrder, geom)
      expect(want.length).toBeGreaterThan(1)
      expect(sortedIds(got)).toEqual(sortedIds(want))
    })
  }
})
