import { describe, expect, it } from 'vitest'
import { BUFFERED, fixtureTile, layerTileTest, sortedIds } from '../layer-tiles.js'

describe('admin tiles', () => {
  const tiles = layerTileTest()

  for (const [z, levels, labels, geom] of [
    [6, ['province', 'prefecture', 'county'], ['prefecture'], 'geom_z6'],
    [8, ['prefecture', 'county', 'township'], ['county', 'township'], 'geom_z9'],
    [11, ['county', 'township', 'village'], ['township', 'village'], 'geom_z12'],
    [14, ['township', 'village'], ['village'], 'geom_3857'],
  ] as const) {
    it(`z${z}: outlines of ${levels.join(', ')} and labels of ${labels.join(', ')}, as SQL finds them`, async () => {
      const at = fixtureTile(z)
      const got = await tiles.features('admin', at)
      const outlines = await tiles.rows<{ id: string }>(`SELECT code AS id FROM admin_area WHERE level = ANY ($4) AND ST_Intersects(${geom}, ${BUFFERED})`, at, [levels])
      const seats = await tiles.rows<{ code: string }>(`SELECT code FROM admin_area WHERE level = ANY ($4) AND ST_Intersects(label_3857, ${BUFFERED}) ORDER BY code`, at, [labels])
      expect(outlines.length).toBeGreaterThan(0)
      expect(seats.length).toBeGreaterThan(0)
      expect(sortedIds(got.filter((f) => f.properties!.label === false))).toEqual(sortedIds(outlines))
      const labelled = got.filter((f) => f.properties!.label === true)
      expect(labelled.map((f) => f.properties!.code).sort()).toEqual(seats.map((s) => s.code))
      expect(labelled.every((f) => f.geometry.type === 'Point' && f.id === undefined)).toBe(true)
    })
  }
})
