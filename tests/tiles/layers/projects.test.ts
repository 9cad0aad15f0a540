import { describe, expect, it } from 'vitest'
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec'
import projects from '../../../tiles/layers/projects/layer.js'
import { FIXTURE } from '../../helpers/fixture-dataset.js'
import { BUFFERED, fixtureTile, layerTileTest, sortedIds, wkt } from '../layer-tiles.js'

const [X0, Y0] = FIXTURE.origin

describe('projects tiles', () => {
  // Beside the fixture's line and point: an area (a relocation site).
  const tiles = layerTileTest({
    more: async (db) => {
      await db.query(
        `INSERT INTO project (id, type, name, stage, year, budget_yuan, spent_yuan, county_code, village_code, geom)
         VALUES (11, 'relocation', '十八洞村安置点', 'construction', 2018, 5e6, 2e6, '433124', $1, ST_GeomFromEWKT($2))`,
        [FIXTURE.villages[0], wkt('POLYGON', [[X0 + 0.012, Y0 + 0.012], [X0 + 0.016, Y0 + 0.012], [X0 + 0.016, Y0 + 0.016], [X0 + 0.012, Y0 + 0.016]])],
      )
    },
  })

  it('z10: every project SQL finds, points, lines and areas, with money in 10,000 yuan', async () => {
    const at = fixtureTile(10)
    const got = await tiles.features('projects', at)
    const want = await tiles.rows<{ id: number; budget: number }>(`SELECT id, budget_yuan / 1e4 AS budget FROM project WHERE ST_Intersects(geom_3857, ${BUFFERED})`, at)
    expect(want.length).toBe(3)
    expect(sortedIds(got)).toEqual(sortedIds(want))
    expect(got.map((f) => f.geometry.type).sort()).toEqual(['LineString', 'Point', 'Polygon'])
    for (const f of got) expect(f.properties!.budget_wan).toBeCloseTo(want.find((w) => String(w.id) === String(f.id))!.budget, 1)
  })

  it('the type and stage filters keep what SQL keeps', async () => {
    const at = fixtureTile(10)
    const got = await tiles.features('projects', at, '?type=relocation,water&stage=construction')
    const want = await tiles.rows<{ id: number }>(`SELECT id FROM project WHERE type IN ('relocation', 'water') AND stage = 'construction' AND ST_Intersects(geom_3857, ${BUFFERED})`, at)
    expect(want.length).toBe(2)
    expect(sortedIds(got)).toEqual(sortedIds(want))
  })

  it('its paint draws areas (fill and outline, under lines and points) in the legend’s colours, and is valid MapLibre style', () => {
    const ids = projects.style.map((s) => s.id)
    expect(ids).toEqual(['projects-fill', 'projects-outline', 'projects-line', 'projects-point'])
    const fill = projects.style[0]!.paint!['fill-color'] as unknown[]
    expect(fill.slice(0, 2)).toEqual(['match', ['get', projects.legend.attribute]])
    for (const e of projects.legend.entries) expect(fill[fill.indexOf(e.value) + 1]).toBe(e.color)
    expect(projects.style[1]!.paint!['line-color']).toEqual(fill)
    const style = {
      version: 8 as const,
      sources: { povmap: { type: 'vector' as const, tiles: ['http://127.0.0.1/tiles/base/{z}/{x}/{y}.mvt'] } },
      layers: projects.style.map((l) => ({ ...l, source: 'povmap', 'source-layer': 'projects' })),
    }
    expect(validateStyleMin(style as never)).toEqual([])
  })
})
