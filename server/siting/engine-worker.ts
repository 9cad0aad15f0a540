/**
 * The siting engine on a worker thread (engine-pool.ts starts it): builds the road network once per
 * road-data version (the DEM read from DATA_DIR) and keeps it, then answers accessibility, isochrone,
 * siting and road-link jobs. Graph searches over a province's roads take seconds of CPU that would
 * otherwise stall every request.
 */
import { parentPort } from 'node:worker_threads'
import { existsSync } from 'node:fs'
import { loadTerrain } from '../../geodata/terrain-format.js'
import { buildNetwork, type Elevation, type Network } from '../../domain/siting/network.js'
import { unpackNetwork, type EngineReply, type EngineRequest } from './engine-protocol.js'
import { runJob } from './engine-jobs.js'

const port = parentPort
if (!port) throw new Error('engine-worker must run as a worker thread')

let current: { version: string; net: Network; slope: (lon: number, lat: number) => number } | undefined
let chain: Promise<void> = Promise.resolve()

port.on('message', (req: EngineRequest) => {
  chain = chain.then(() => handle(req))
})

async function handle(req: EngineRequest): Promise<void> {
  const reply = (m: EngineReply) => port!.postMessage(m)
  try {
    if (!current || current.version !== req.version) {
      if (!req.network) return reply({ id: req.id, ok: false, message: 'network not loaded', needNetwork: true })
      const terrain = existsSync(req.demPath) ? await loadTerrain(req.demPath) : undefined
      const elevation: Elevation = terrain ? (lon, lat) => terrain.elevation(lon, lat) : () => 0
      current = undefined
      current = { version: req.version, net: buildNetwork(unpackNetwork(req.network), elevation), slope: terrain ? (lon, lat) => terrain.slopeDeg(lon, lat) : () => 0 }
    }
    reply({ id: req.id, ok: true, result: await runJob(current.net, current.slope, req.job) })
  } catch (err) {
    reply({ id: req.id, ok: false, message: (err as Error)?.message ?? String(err) })
  }
}
