import { describe, expect, it } from 'vitest'
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec'
import quality from '../../../tiles/layers/quality/layer.js'
import { FIXTURE } from '../../helpers/fixture-dataset.js'
import { BUFFERED, fixtureTile, layerTileTest, sortedIds } from '../layer-tiles.js'

describe('quality tiles (data-quality problems per village)', () => {
  const tiles = layerTileTest({
    // A household outside its village and one poverty village whose team only visits.
    more: async (db) => {
      await db.query(
        `UPDATE household SET geom = ST_SetSRID(ST_MakePoint(100, 20), 4326)
         WHERE id = (SELECT id FROM household WHERE village_code = $1 ORDER BY id LIMIT 1)`,
        [FIXTURE.villages[1]],
      )
      await db.query('UPDATE work_team SET resident = false WHERE village_code = $1', [FIXTURE.villages[0]])
    },
  })

  for (const [z, geom] of [[10, 'geom_z9'], [13, 'geom_z12']] as const) {
    it(`z${z}: the villages SQL finds in the tile, with their counters for the year and their sum`, async () => {
      const at = fixtureTile(z)
      const got = await tiles.features('quality', at, '?year=2017')
      // Independent of the layer's functions but for the ID check (held to the standard in tests/server/workteams).
      const want = await tiles.rows<{ id: string; households: number; outside: number; bad_ids: number; size_mismatch: number; not_updated: number; no_team: number }>(
        `SELECT v.code AS id,
                (SELECT count(*) FROM household h WHERE h.village_code = v.code)::int AS households,
                (SELECT count(*) FROM household h WHERE h.village_code = v.code AND NOT ST_Covers(v.geom, h.geom) AND h.outside_boundary_reason IS NULL)::int AS outside,
                (SELECT count(*) FROM member m JOIN household h ON h.id = m.household_id WHERE h.village_code = v.code AND NOT povmap_id_number_valid(m.id_number))::int AS bad_ids,
                (SELECT count(*) FROM household h WHERE h.village_code = v.code AND h.size <> (SELECT count(*) FROM member m WHERE m.household_id = h.id))::int AS size_mismatch,
                (SELECT count(*) FROM household h WHERE h.village_code = v.code AND NOT EXISTS (SELECT 1 FROM household_year y WHERE y.household_id = h.id AND y.year = 2017))::int AS not_updated,
                (v.poverty_designated AND NOT EXISTS (SELECT 1 FROM work_team t WHERE t.village_code = v.code AND t.resident AND t.ended_on IS NULL))::int AS no_team
         FROM admin_area v WHERE v.level = 'village' AND ST_Intersects(v.${geom}, ${BUFFERED})`,
        at,
      )
      expect(want.length).toBeGreaterThan(0)
      expect(want.some((w) => w.outside > 0) && want.some((w) => w.no_team > 0)).toBe(true)
      expect(sortedIds(got)).toEqual(sortedIds(want))
      for (const f of got) {
        const w = want.find((r) => r.id === String(f.properties!.code))!
        const { id: _id, ...counts } = w
        expect(f.properties, w.id).toMatchObject(counts)
        expect(f.properties!.problems).toBe(w.outside + w.bad_ids + w.size_mismatch + w.not_updated + w.no_team)
      }
    })
  }

  it('below z10 it draws nothing; its paint is valid MapLibre style and its legend follows the paint’s classes', async () => {
    expect(await tiles.features('quality', fixtureTile(9))).toEqual([])
    const style = {
      version: 8 as const,
      sources: { quality: { type: 'vector' as const, tiles: ['http://x/{z}/{x}/{y}'] } },
      layers: quality.style.map((s) => ({ ...s, source: 'quality', 'source-layer': 'quality' })),
    }
    expect(validateStyleMin(style as never)).toEqual([])
    const step = quality.style[0]!.paint!['fill-color'] as unknown[]
    expect(quality.legend.entries.map((e) => e.color)).toEqual(step.filter((x) => typeof x === 'string' && x.startsWith('#')))
  })
})
