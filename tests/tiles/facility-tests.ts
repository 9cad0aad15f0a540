import { describe, expect, it } from 'vitest'
import { FIXTURE } from '../helpers/fixture-dataset.js'
import { BUFFERED, fixtureTile, layerTileTest, sortedIds } from './layer-tiles.js'

/**
 * Schools and clinics share their shape (tiles/facility-layer.ts) and so their test: z8-10 the top
 * level, z11-12 the top two, z13 on every level, each as SQL finds it. The fixture has the top and the
 * bottom level; `insertMiddle` adds one of the middle level near the fixture's centre ($1 lon, $2 lat).
 */
export function describeFacilityLayer(opts: { id: 'schools' | 'clinics'; table: string; levels: readonly [string, string, string]; insertMiddle: string; numberField: string }) {
  describe(`${opts.id} tiles`, () => {
    const tiles = layerTileTest({
      more: async (db) => {
        await db.query(opts.insertMiddle, [FIXTURE.origin[0] + FIXTURE.cell + 0.003, FIXTURE.origin[1] + FIXTURE.cell + 0.002])
      },
    })
    for (const [z, levels] of [[9, opts.levels.slice(0, 1)], [12, opts.levels.slice(0, 2)], [14, opts.levels]] as const) {
      it(`z${z}: the ${levels.join(', ')} points, as SQL finds them, with level, name and ${opts.numberField}`, async () => {
        const at = fixtureTile(z)
        const got = await tiles.features(opts.id, at)
        const want = await tiles.rows<{ id: number; n: number }>(`SELECT id, ${opts.numberField} AS n FROM ${opts.table} WHERE level = ANY ($4) AND ST_Intersects(geom_3857, ${BUFFERED})`, at, [levels])
        expect(want.length).toBeGreaterThan(0)
        expect(sortedIds(got)).toEqual(sortedIds(want))
        for (const f of got) expect(f.properties![opts.numberField]).toBe(want.find((w) => String(w.id) === String(f.id))!.n)
      })
    }
  })
}
