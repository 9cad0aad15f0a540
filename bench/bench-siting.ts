/**
 * `npm run bench:siting`: accessibility for every household of the loaded data, an isochrone, siting
 * with 5,000 candidates and k = 20, greedy against the exact MILP, and our Dijkstra against pgRouting's
 * pgr_dijkstra (server database only) — each beside a reference measured in the same run:
 *   accessibility: reading the household points alone (the SQL floor of the job);
 *   isochrone: one unbounded Dijkstra over the whole network;
 *   siting: the same instance's greedy alone (what the swaps add), and the targets (< 10 s);
 *   coverage: the exact optimum (HiGHS) on sub-instances it finishes;
 *   shortest paths: pgr_dijkstra on the same graph and sources (times compared for equality).
 * The machine is shared and noisy: read the ratios, run it twice.
 *
 * Data: DATABASE_URL (demo data: npm run load) or the embedded database under DATA_DIR. It rewrites the
 * stored accessibility (as npm run accessibility does) and creates the pgRouting extension and a scratch
 * table (dropped at the end) on a server database.
 */
import { performance } from 'node:perf_hooks'
import { loadConfig } from '../server/infra/config.js'
import { openAndMigrate } from '../server/start-up.js'
import { defineCommand, intOption } from '../server/cli/args.js'
import { SitingService } from '../server/siting/siting-service.js'
import { buildNetwork, type Network } from '../domain/siting/network.js'
import { loadTerrain, terrainPath } from '../geodata/terrain-format.js'
import { existsSync } from 'node:fs'
import { dijkstra } from '../domain/siting/graph.js'
import { coverInstance, isochrone, type Candidate, type DemandGroup } from '../domain/siting/engine.js'
import { coverLp, coverValue, greedyCover, swapImprove } from '../domain/siting/covering.js'
import { solveLp } from '../server/siting/milp.js'
import { createRng } from '../geodata/generate/rng.js'

const opts = defineCommand({
  name: 'bench:siting',
  command: 'npm run bench:siting',
  usage: 'npm run bench:siting -- [--area CODE] [--candidates N] [--k N] [--sources N]',
  summary: 'Accessibility, isochrone, siting and shortest-path timings against references measured in the same run (see the file header).',
  options: {
    area: { type: 'string', value: 'CODE', default: '433124', help: 'the county to site in (default 433124 花垣县)' },
    candidates: { type: 'string', value: 'N', default: '5000', help: 'candidate sites for the large siting run' },
    k: { type: 'string', value: 'N', default: '20', help: 'sites in the large siting run' },
    sources: { type: 'string', value: 'N', default: '20', help: 'sources of the Dijkstra vs pgr_dijkstra comparison' },
  },
  notes: ['The database: DATABASE_URL, or unset the embedded PostGIS under DATA_DIR, holding the demo data.'],
}).parse(process.argv.slice(2), (v) => ({
  area: v.area ?? '433124',
  candidates: intOption('candidates', v.candidates, 10, 20000, 5000),
  k: intOption('k', v.k, 1, 50, 20),
  sources: intOption('sources', v.sources, 1, 200, 20),
}))
const log = (s: string) => process.stdout.write(`${s}\n`)
const ms = (t: number) => `${t.toFixed(t < 10 ? 2 : 0)} ms`
const time = async <T>(fn: () => Promise<T> | T): Promise<[T, number]> => {
  const t0 = performance.now()
  const r = await fn()
  return [r, performance.now() - t0]
}

const config = loadConfig()
const db = await openAndMigrate(config, () => {})
const service = new SitingService(db, config.dataDir)
try {
  log(`bench:siting on the ${db.kind} database; area ${opts.area}`)
  // ---- accessibility -------------------------------------------------------------------------------------------
  const [, readMs] = await time(() => db.query('SELECT id, village_code, ST_X(geom), ST_Y(geom) FROM household'))
  const cpu0 = process.cpuUsage()
  const [acc, accMs] = await time(() => service.computeAccessibility())
  const cpu = process.cpuUsage(cpu0)
  const cpuMs = (cpu.user + cpu.system) / 1000
  log(`accessibility: ${acc.households.toLocaleString('en')} households in ${ms(accMs)} wall, ${ms(cpuMs)} CPU in this process (worker included; the database's own work is not) ` +
    `(target < 30 s: ${accMs < 30_000 ? 'met' : 'MISSED'}); reading their points alone ${ms(readMs)}: ×${(accMs / readMs).toFixed(1)}; load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`)
  const p = acc.phases
  log(`accessibility phases: network (roads read, sent, built on the worker) ${ms(p.network)} beside reading the points ${ms(p.read)}; ` +
    `snapping and timing every seat and household ${ms(p.households)}; writing (COPY, indicators) ${ms(p.write)}`)

  // ---- the network in this process, for the timings below ---------------------------------------------------------
  const dem = terrainPath(config.dataDir)
  const terrain = existsSync(dem) ? await loadTerrain(dem) : undefined
  const [net, buildMs] = await time(async () => buildNetwork(await service.networkInput(), terrain ? (x, y) => terrain.elevation(x, y) : () => 0))
  log(`network: ${net.drive.n.toLocaleString('en')} nodes, ${net.drive.targets.length.toLocaleString('en')} arcs, built in ${ms(buildMs)}${terrain ? '' : ' (no DEM: flat)'}`)

  // ---- isochrone ---------------------------------------------------------------------------------------------------
  const seat = (await db.query<{ lon: number; lat: number }>('SELECT ST_X(seat) AS lon, ST_Y(seat) AS lat FROM admin_area WHERE code = $1', [opts.area])).rows[0]!
  const [, fullMs] = await time(() => dijkstra(net.drive, [{ node: 0, cost: 0 }]))
  const [bands, isoMs] = await time(() => isochrone(net, seat.lon, seat.lat, [15, 30, 60], 'drive'))
  const [, isoWorkerMs] = await time(() => service.run({ op: 'isochrone', lon: seat.lon, lat: seat.lat, minutes: [15, 30, 60], mode: 'drive' }))
  log(`isochrone 15/30/60 min by car from the county seat: ${ms(isoMs)} in process, ${ms(isoWorkerMs)} through the worker (target < 1 s: ${isoWorkerMs < 1000 ? 'met' : 'MISSED'}); ` +
    `one full Dijkstra ${ms(fullMs)}: ×${(isoMs / fullMs).toFixed(1)}; ${bands.map((b) => `${b.minutes} min ${b.polygons.length} polygon(s)`).join(', ')}`)

  // ---- siting with many candidates ---------------------------------------------------------------------------------
  const demand = (
    await db.query<{ node: number; walkS: number; people: number; households: number }>(
      `SELECT a.node, (ceil(a.walk_s / 10) * 10)::real AS "walkS", sum(h.size)::int AS people, count(*)::int AS households
       FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = 2016 JOIN household_access a ON a.household_id = h.id
       WHERE starts_with(h.village_code, $1) AND y.status IN ('poor', 'returned') AND NOT y.water_ok AND a.node IS NOT NULL GROUP BY 1, 2`,
      [opts.area],
    )
  ).rows
  const box = (await db.query<{ w: number; s: number; e: number; n: number }>('SELECT ST_XMin(geom) w, ST_YMin(geom) s, ST_XMax(geom) e, ST_YMax(geom) n FROM admin_area WHERE code = $1', [opts.area])).rows[0]!
  const rng = createRng(18)
  const candidates: Candidate[] = Array.from({ length: opts.candidates }, () => ({ lon: rng.range(box.w, box.e), lat: rng.range(box.s, box.n) }))
  const existing = (await db.query<Candidate>("SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM water WHERE kind = 'supply_works' AND geom && ST_Expand(ST_MakeEnvelope($1, $2, $3, $4, 4326), 0.3)", [box.w, box.s, box.e, box.n])).rows
  const groups: DemandGroup[] = demand
  const [inst, instMs] = await time(() => coverInstance(net, groups, candidates, existing, 30 * 60))
  const [greedy, greedyMs] = await time(() => greedyCover(inst.cover, opts.k))
  const [swapped, swapMs] = await time(() => swapImprove(inst.cover, greedy.sites, { deadline: Date.now() + 5000, now: Date.now }))
  const total = instMs + greedyMs + swapMs
  const people = Array.from(inst.cover.weights).reduce((a, b) => a + b, 0)
  log(`siting: ${opts.candidates.toLocaleString('en')} candidates, k = ${opts.k}, ${groups.length} demand groups (${people} people not yet served), 30 min: ` +
    `instance ${ms(instMs)}, greedy ${ms(greedyMs)}, swaps ${ms(swapMs)}: ${ms(total)} (target < 10 s: ${total < 10_000 ? 'met' : 'MISSED'}); ` +
    `covers ${greedy.value} people greedy, ${swapped.value} after swaps (+${(((swapped.value - greedy.value) / Math.max(1, greedy.value)) * 100).toFixed(2)} %)`)
  const [, workerMs] = await time(() =>
    service.run({ op: 'site', groups, target: new Uint8Array(groups.length).fill(1), candidates, existing, standardS: 1800, k: opts.k, objective: 'coverage', solver: 'greedy', polygons: false }),
  )
  log(`siting through the worker (instance, greedy, swaps, coverage of the answer): ${ms(workerMs)}`)

  // ---- greedy against the exact optimum ----------------------------------------------------------------------------
  for (const [m, k] of [[200, 5], [300, 10], [400, 20]] as const) {
    const sub = { weights: inst.cover.weights, covers: inst.cover.covers.slice(0, m) }
    const g = swapImprove(sub, greedyCover(sub, k).sites)
    const gOnly = greedyCover(sub, k)
    const [exact, exactMs] = await time(() => solveLp(coverLp(sub, k)))
    if (!exact) {
      log(`exact: ${m} candidates, k = ${k}: HiGHS did not finish`)
      continue
    }
    const chosen = sub.covers.map((_, j) => j).filter((j) => (exact.columns[`x${j}`] ?? 0) > 0.5)
    const opt = coverValue(sub, chosen)
    log(`exact vs greedy: ${m} candidates, k = ${k}: optimum ${opt} people (HiGHS ${ms(exactMs)}), greedy ${gOnly.value} (${((gOnly.value / Math.max(1, opt)) * 100).toFixed(2)} %), greedy+swap ${g.value} (${((g.value / Math.max(1, opt)) * 100).toFixed(2)} %)`)
  }

  // ---- our Dijkstra against pgr_dijkstra ---------------------------------------------------------------------------
  if (db.kind !== 'server') log('pgr_dijkstra: skipped (the embedded database has no pgRouting)')
  else await comparePgRouting(net)
} finally {
  await service.close()
  await db.close()
}

async function comparePgRouting(net: Network) {
  await db.exec('CREATE EXTENSION IF NOT EXISTS pgrouting')
  const g = net.drive
  await db.exec('DROP TABLE IF EXISTS bench_pgr_edges; CREATE UNLOGGED TABLE bench_pgr_edges (id serial PRIMARY KEY, source integer, target integer, cost float8, reverse_cost float8)')
  try {
    const src: number[] = []
    const dst: number[] = []
    const cost: number[] = []
    for (let u = 0; u < g.n; u++)
      for (let a = g.offsets[u]!; a < g.offsets[u + 1]!; a++) {
        src.push(u)
        dst.push(g.targets[a]!)
        cost.push(g.costs[a]!)
      }
    await db.query('INSERT INTO bench_pgr_edges (source, target, cost, reverse_cost) SELECT s, d, c, -1 FROM unnest($1::int[], $2::int[], $3::float8[]) AS x(s, d, c)', [src, dst, cost])
    const rng = createRng(7)
    const sources = Array.from({ length: opts.sources }, () => rng.int(0, g.n - 1))
    const targets = Array.from({ length: 200 }, () => rng.int(0, g.n - 1))
    const [ours, oursMs] = await time(() => sources.map((s) => dijkstra(g, [{ node: s, cost: 0 }])))
    const [rows, pgrMs] = await time(
      async () =>
        (
          await db.query<{ s: string; t: string; agg: number }>(
            `SELECT start_vid AS s, end_vid AS t, agg_cost AS agg FROM pgr_dijkstra('SELECT id, source, target, cost, reverse_cost FROM bench_pgr_edges', $1::bigint[], $2::bigint[], directed => true) WHERE edge = -1`,
            [sources, targets],
          )
        ).rows,
    )
    let worst = 0
    for (const r of rows) worst = Math.max(worst, Math.abs(ours[sources.indexOf(Number(r.s))]![Number(r.t)]! - r.agg))
    log(`shortest paths, ${opts.sources} sources over ${g.n.toLocaleString('en')} nodes: ours ${ms(oursMs)} (one-to-all), pgr_dijkstra ${ms(pgrMs)} (to 200 targets, incl. reading the edges): ` +
      `ours ×${(pgrMs / oursMs).toFixed(1)} faster; ${rows.length} times compared, largest difference ${worst.toExponential(2)} s (${worst < 1e-6 ? 'equal' : 'DIFFERENT'})`)
  } finally {
    await db.exec('DROP TABLE IF EXISTS bench_pgr_edges')
  }
}
