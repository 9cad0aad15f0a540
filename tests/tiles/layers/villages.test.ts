import { describe, expect, it } from 'vitest'
import { BUFFERED, fixtureTile, layerTileTest, sortedIds } from '../layer-tiles.js'

describe('villages tiles', () => {
  const tiles = layerTileTest()

  for (const [z, geom] of [[10, 'geom_z9'], [13, 'geom_z12']] as const) {
    it(`z${z}: the village polygons SQL finds, with the registered and poor households of the year`, async () => {
      const at = fixtureTile(z)
      const got = await tiles.features('villages', at, '?year=2017')
      const want = await tiles.rows<{ id: string; households: number; poor: number }>(
        `SELECT v.code AS id, count(y.*)::int AS households, (count(y.*) FILTER (WHERE y.status IN ('poor', 'returned')))::int AS poor
         FROM admin_area v LEFT JOIN household h ON h.village_code = v.code LEFT JOIN household_year y ON y.household_id = h.id AND y.year = 2017
         WHERE v.level = 'village' AND ST_Intersects(v.${geom}, ${BUFFERED}) GROUP BY v.code`,
        at,
      )
      expect(want.length).toBeGreaterThan(0)
      expect(sortedIds(got)).toEqual(sortedIds(want))
      for (const f of got) {
        const w = want.find((r) => r.id === String(f.properties!.code))!
        expect(f.properties).toMatchObject({ households: w.households, poor: w.poor })
      }
    })
  }
})
