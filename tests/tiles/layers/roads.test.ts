import { describe, expect, it } from 'vitest'
import { FIXTURE } from '../../helpers/fixture-dataset.js'
import { BUFFERED, fixtureTile, layerTileTest, sortedIds, wkt } from '../layer-tiles.js'

const [X0, Y0] = FIXTURE.origin
const c = FIXTURE.cell

describe('roads tiles', () => {
  // Beside the fixture's national and village road: one road of each other class across the villages.
  const tiles = layerTileTest({
    more: async (db) => {
      for (const [id, cls, dy] of [[11, 'provincial', 0.25], [12, 'county', 0.5], [13, 'township', 0.75]] as const) {
        await db.query('INSERT INTO road (id, class, name, source_node, target_node, length_m, geom) VALUES ($1, $2, $3, $4, $5, 4000, ST_GeomFromEWKT($6))', [
          id, cls, `${cls} road`, 100 + id, 200 + id, wkt('LINESTRING', [[X0 - 0.05, Y0 + dy * 2 * c], [X0 + 2 * c + 0.05, Y0 + dy * 2 * c]]),
        ])
      }
    },
  })
  const expected = (at: { z: number; x: number; y: number }, classes: string[] | null, geom: string) =>
    tiles.rows<{ id: number }>(`SELECT id FROM road WHERE ($4::text[] IS NULL OR class = ANY ($4)) AND ST_Intersects(${geom}, ${BUFFERED})`, at, [classes])

  for (const [z, classes, geom] of [
    [6, ['national', 'provincial'], 'geom_z9'],
    [10, ['national', 'provincial', 'county', 'township'], 'geom_z9'],
    [14, null, 'geom_3857'],
  ] as const) {
    it(`z${z}: the roads of ${classes ? classes.join(', ') : 'every class'}, as SQL finds them, with class and name`, async () => {
      const at = fixtureTile(z)
      const got = await tiles.features('roads', at)
      const want = await expected(at, classes ? [...classes] : null, geom)
      expect(want.length).toBeGreaterThan(0)
      expect(sortedIds(got)).toEqual(sortedIds(want))
      for (const f of got) expect(classes ?? ['national', 'provincial', 'county', 'township', 'village']).toContain(f.properties!.class)
    })
  }
})
