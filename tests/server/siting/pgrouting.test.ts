import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, serverUrl, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loadRoadGrid } from './siting-fixture.js'
import { SitingService } from '../../../server/siting/siting-service.js'
import { buildNetwork } from '../../../domain/siting/network.js'
import { dijkstra } from '../../../domain/siting/graph.js'

// pgRouting exists on the server database only (Debian postgresql-15-pgrouting); the embedded one has none.
describe.skipIf(!serverUrl)('shortest paths against pgRouting', () => {
  let t: TestDb
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 5 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    await loadRoadGrid(t.db)
    await t.db.exec('CREATE EXTENSION IF NOT EXISTS pgrouting')
  }, 120_000)
  afterAll(async () => t?.dispose())

  it('our Dijkstra equals pgr_dijkstra on the same graph (drive and walk, on a slope)', async () => {
    const service = new SitingService(t.db, t.location)
    try {
      // A tilted, wavy DEM, so that walking times differ by direction.
      const net = buildNetwork(await service.networkInput(), (lon, lat) => 3000 * (lon - 109.5) + 200 * Math.sin(lat * 500))
      for (const [name, g] of [['drive', net.drive], ['walk', net.walk]] as const) {
        await t.db.exec('DROP TABLE IF EXISTS pgr_edges; CREATE TABLE pgr_edges (id serial PRIMARY KEY, source integer, target integer, cost float8, reverse_cost float8)')
        const src: number[] = []
        const dst: number[] = []
        const cost: number[] = []
        for (let u = 0; u < g.n; u++)
          for (let a = g.offsets[u]!; a < g.offsets[u + 1]!; a++) {
            src.push(u)
            dst.push(g.targets[a]!)
            cost.push(g.costs[a]!)
          }
        await t.db.query('INSERT INTO pgr_edges (source, target, cost, reverse_cost) SELECT s, d, c, -1 FROM unnest($1::int[], $2::int[], $3::float8[]) AS x(s, d, c)', [src, dst, cost])
        for (const start of [0, Math.floor(g.n / 2), g.n - 1]) {
          const ours = dijkstra(g, [{ node: start, cost: 0 }])
          const rows = (
            await t.db.query<{ node: number; agg: number }>(
              `SELECT end_vid AS node, agg_cost AS agg FROM pgr_dijkstra('SELECT id, source, target, cost, reverse_cost FROM pgr_edges', $1::bigint,
                 (SELECT array_agg(DISTINCT target)::bigint[] FROM pgr_edges WHERE target <> $1), directed => true) WHERE edge = -1`,
              [start],
            )
          ).rows
          expect(rows.length, `${name} from ${start}`).toBe(g.n - 1)
          for (const r of rows) expect(ours[Number(r.node)], `${name} ${start}→${r.node}`).toBeCloseTo(Number(r.agg), 6)
        }
      }
    } finally {
      await service.close()
    }
  })
})
