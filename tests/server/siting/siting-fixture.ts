/**
 * The test fixture (tests/helpers/fixture-dataset.ts) with a road grid of its own over the four
 * villages: a township road every 0.01° and village roads between, noded at every crossing, so that
 * households and sites have roads to walk to. Replaces the fixture's two roads (as the owner).
 */
import type { Db } from '../../../server/db/types.js'
import { FIXTURE } from '../../helpers/fixture-dataset.js'

export const GRID_STEP = 0.005
export const GRID_N = Math.round((2 * FIXTURE.cell) / GRID_STEP) + 1

export async function loadRoadGrid(db: Db): Promise<number> {
  const [x0, y0] = FIXTURE.origin
  const node = (i: number, j: number) => 1 + i + j * GRID_N
  const rows: { id: number; cls: string; a: number; b: number; coords: number[][] }[] = []
  let id = 0
  for (let j = 0; j < GRID_N; j++)
    for (let i = 0; i < GRID_N; i++) {
      const x = x0 + i * GRID_STEP
      const y = y0 + j * GRID_STEP
      if (i + 1 < GRID_N) rows.push({ id: ++id, cls: j % 2 === 0 ? 'township' : 'village', a: node(i, j), b: node(i + 1, j), coords: [[x, y], [x + GRID_STEP, y]] })
      if (j + 1 < GRID_N) rows.push({ id: ++id, cls: i % 2 === 0 ? 'county' : 'village', a: node(i, j), b: node(i, j + 1), coords: [[x, y], [x, y + GRID_STEP]] })
    }
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM road')
    for (const r of rows) {
      await tx.query(
        `INSERT INTO road (id, class, source_node, target_node, length_m, geom)
         VALUES ($1, $2, $3, $4, ST_Length(ST_GeomFromGeoJSON($5)::geography), ST_SetSRID(ST_GeomFromGeoJSON($5), 4326))`,
        [r.id, r.cls, r.a, r.b, JSON.stringify({ type: 'LineString', coordinates: r.coords })],
      )
    }
  })
  return rows.length
}
