import { describe, expect, it } from 'vitest'
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec'
import households from '../../../tiles/layers/households/layer.js'
import { theme } from '../../../tiles/theme.js'
import { POVERTY_CAUSES } from '../../../domain/codes.js'
import { BUFFERED, fixtureTile, layerTileTest, sortedIds } from '../layer-tiles.js'

describe('households tiles', () => {
  const tiles = layerTileTest()

  for (const [z, level] of [[7, 'county'], [8, 'township'], [10, 'village']] as const) {
    it(`z${z}: one aggregate per ${level} seat in the tile, counting the households SQL finds for the filter`, async () => {
      const at = fixtureTile(z)
      const got = await tiles.features('households', at, '?year=2018&status=poor,returned')
      const want = await tiles.rows<{ id: string; n: number }>(
        `SELECT ar.code AS id, count(*)::int AS n
         FROM admin_area ar JOIN household h ON h.village_code LIKE ar.code || '%' JOIN household_year y ON y.household_id = h.id AND y.year = 2018
         WHERE ar.level = $4 AND y.status IN ('poor', 'returned') AND ST_Intersects(ar.label_3857, ${BUFFERED}) GROUP BY ar.code`,
        at,
        [level],
      )
      expect(want.length).toBeGreaterThan(0)
      expect(sortedIds(got)).toEqual(sortedIds(want))
      for (const f of got) expect(f.properties!.count, String(f.id)).toBe(want.find((w) => w.id === String(f.id))!.n)
    })
  }

  for (const z of [12, 14]) {
    it(`z${z}: one point per household SQL finds for the filter, with its status`, async () => {
      const at = fixtureTile(z)
      const got = await tiles.features('households', at, '?year=2016&cause=illness,disability')
      const want = await tiles.rows<{ id: string; status: string }>(
        `SELECT h.id::text AS id, y.status FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = 2016
         WHERE h.main_cause IN ('illness', 'disability') AND ST_Intersects(h.geom_3857, ${BUFFERED})`,
        at,
      )
      expect(want.length).toBeGreaterThan(0)
      expect(sortedIds(got)).toEqual(sortedIds(want))
      for (const f of got) expect(f.properties!.status).toBe(want.find((w) => w.id === String(f.id))!.status)
    })
  }

  it('its colouring by main cause paints with the theme’s cause colours, and both colourings are valid MapLibre style', () => {
    const byCause = households.variants!.cause!
    expect(byCause.colors).toEqual(theme.causes)
    expect(Object.keys(byCause.colors)).toEqual([...POVERTY_CAUSES])
    const point = byCause.paint['households-point']!['circle-color'] as unknown[]
    for (const c of POVERTY_CAUSES) expect(point[point.indexOf(c) + 1]).toBe(theme.causes[c])
    const style = (variant?: string) => ({
      version: 8 as const,
      sources: { households: { type: 'vector' as const, tiles: ['http://127.0.0.1/tiles/households/{z}/{x}/{y}.mvt'] } },
      layers: households.style.map((l) => ({ ...l, paint: { ...l.paint, ...(variant ? households.variants![variant]!.paint[l.id] : {}) }, source: 'households', 'source-layer': 'households' })),
    })
    expect(validateStyleMin(style() as never)).toEqual([])
    expect(validateStyleMin(style('cause') as never)).toEqual([])
  })
})
