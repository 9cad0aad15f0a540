import { basename, join } from 'node:path'
import { loadConfig } from '../infra/config.js'
import { openAndMigrate } from '../start-up.js'
import { failAndExit } from './fail.js'
import { defineCommand, intOption, oneOf, UsageError } from './args.js'
import { TileService, type TileScope } from '../tiles/tile-service.js'
import { BASE_LAYERS } from '../../tiles/registry.js'
import { HUNAN_BOUNDS, HUNAN_CENTER, tileJson } from '../tiles/style.js'
import { MbtilesWriter } from '../tiles/mbtiles-writer.js'
import { normaliseFilter } from '../tiles/tile-filters.js'
import { progressBar } from '../infra/progress.js'
import { tilesCovering } from '../tiles/tile-math.js'
import { ROLES, type Role } from '../../domain/roles.js'
import { ADMIN_CODE } from '../../domain/admin-codes.js'
import { openSessionAsOwner, sessionIdHash } from '../auth/session-store.js'
import { appendAudit } from '../audit/audit-log.js'
import { withCaller, type DbCaller } from '../db/caller-transactions.js'
import { viewQueryable } from '../db/views.js'
import type { Db } from '../db/types.js'

/**
 * A session of an enabled account with this role and area, opened for the seed alone: the database
 * learns a view's role and area from a live session (migration 0009), so the tiles are rendered with
 * exactly the rows a request of that account would see. The session id never leaves this process and
 * the session is deleted at the end (or expires).
 */
async function openSeedSession(db: Db, role: Role, area: string): Promise<DbCaller & { touch(): Promise<void>; close(): Promise<void> }> {
  const { rows } = await db.query<{ id: number; username: string }>('SELECT id, username FROM app_user WHERE role = $1 AND scope_code = $2 AND NOT disabled ORDER BY id LIMIT 1', [role, area])
  const user = rows[0]
  if (!user) throw new Error(`no enabled account has role ${role} and area ${area}; the tiles are rendered in such an account's view (create one first)`)
  const sid = await openSessionAsOwner(db, user.id, 24 * 3600)
  const hash = sessionIdHash(sid)
  let touched = Date.now()
  return {
    sid,
    role,
    scope: area,
    userId: user.id,
    username: user.username,
    // A running server ends sessions idle for SESSION_IDLE_MINUTES: a long seed shows it is still in use.
    touch: async () => {
      if (Date.now() - touched < 60_000) return
      touched = Date.now()
      await db.query('UPDATE app_session SET last_seen_at = now() WHERE sid_hash = $1', [hash])
    },
    close: async () => void (await db.query('DELETE FROM app_session WHERE sid_hash = $1', [hash])),
  }
}

const cli = defineCommand({
  name: 'tiles:seed',
  command: 'npm run tiles:seed',
  usage: 'npm run tiles:seed -- [--maxzoom N] [--minzoom N] [--out FILE] [--role ROLE --area CODE [--households]]',
  summary:
    'Pre-renders the base tiles of Hunan into an MBTiles file readable by its owner only (mode 0600). The household layer is left out ' +
    'unless --households is given with --role and --area: then every layer is rendered in that role’s view of that area (row-level ' +
    'security as for its requests, through a short-lived session of an enabled account with that role and area; the export is audit-logged).',
  options: {
    maxzoom: { type: 'string', value: 'N', help: 'highest zoom level, 0 to 14 (default: 10)' },
    minzoom: { type: 'string', value: 'N', help: 'lowest zoom level, 0 to --maxzoom (default: 0)' },
    out: { type: 'string', value: 'FILE', help: 'the MBTiles file to write (default: DATA_DIR/tiles/povmap.mbtiles)' },
    role: { type: 'string', value: 'ROLE', help: `render in this role’s view: ${ROLES.join(', ')}` },
    area: { type: 'string', value: 'CODE', help: 'and of this area: a division code (2, 4, 6, 9 or 12 digits)' },
    households: { type: 'boolean', help: 'include the household layer (needs --role and --area)' },
  },
  notes: ['The database: DATABASE_URL, or unset the embedded PostGIS under DATA_DIR (README.md, Configuration).'],
})
const opts = cli.parse(process.argv.slice(2), (o) => {
  const maxzoom = intOption('maxzoom', o.maxzoom, 0, 14, 10)
  const minzoom = intOption('minzoom', o.minzoom, 0, maxzoom, 0)
  if (o.households && (o.role === undefined || o.area === undefined)) {
    throw new UsageError('--households needs --role and --area: household tiles are rendered in that role’s view of that area')
  }
  if ((o.role === undefined) !== (o.area === undefined)) throw new UsageError('--role and --area go together')
  const role = o.role === undefined ? undefined : oneOf('role', o.role, ROLES)
  if (o.area !== undefined && !ADMIN_CODE.test(o.area)) throw new UsageError('--area must be a division code (2, 4, 6, 9 or 12 digits)')
  return { ...o, maxzoom, minzoom, role }
})

try {
  const { maxzoom, minzoom } = opts
  const config = loadConfig()
  const out = opts.out ?? join(config.dataDir, 'tiles', 'povmap.mbtiles')
  const layers = opts.households ? BASE_LAYERS : BASE_LAYERS.filter((l) => l.id !== 'households')
  const db = await openAndMigrate(config, (m) => process.stderr.write(`povmap: ${m}\n`))
  const caller = opts.role !== undefined ? await openSeedSession(db, opts.role, opts.area!) : undefined
  try {
    // Without a role: the connecting owner renders the layers that hold no household.
    const scope: TileScope | undefined = caller && { key: `${caller.role}:${caller.scope}`, run: (fn) => fn(viewQueryable(db, caller)) }
    if (caller && opts.households) {
      await withCaller(db, caller, (tx) =>
        appendAudit(tx, {
          action: 'export.households',
          outcome: 'ok',
          actorId: caller.userId,
          actorUsername: caller.username,
          actorRole: caller.role,
          area: caller.scope,
          target: basename(out),
          detail: { via: 'tiles:seed', minzoom, maxzoom },
        }),
      )
    }
    const service = new TileService(db, { cacheBytes: 1 })
    const filter = normaliseFilter(layers, {})
    const tiles = Array.from({ length: maxzoom - minzoom + 1 }, (_, i) => tilesCovering(HUNAN_BOUNDS, minzoom + i)).flat()
    const total = tiles.length
    const tj = tileJson('', 'base', layers, `povmap base tiles of Hunan (demo data)${caller ? `, as seen by ${caller.role} of ${caller.scope}` : ''}`)
    const writer = new MbtilesWriter(out, {
      name: 'povmap',
      format: 'pbf',
      type: 'overlay',
      version: '1.0.0',
      description: tj.description,
      attribution: tj.attribution,
      bounds: HUNAN_BOUNDS.join(','),
      center: [...HUNAN_CENTER, minzoom].join(','),
      minzoom: String(minzoom),
      maxzoom: String(maxzoom),
      json: JSON.stringify({ vector_layers: tj.vector_layers }),
    })
    const bar = progressBar('tiles:seed', total)
    let done = 0
    let written = 0
    for (const t of tiles) {
      const tile = await service.tile('base', layers, t, filter, scope)
      if (tile.body.length > 0) {
        writer.add(t.z, t.x, t.y, tile.body)
        written++
      }
      bar.update(++done, `z${t.z}`)
      await caller?.touch()
    }
    bar.stop()
    writer.finish()
    process.stderr.write(
      `povmap: wrote ${written} tiles (z${minzoom}-${maxzoom}, ${total - written} empty skipped) to ${out}` +
        `${opts.households ? '' : '; households left out (--households --role R --area CODE to include them)'}\n`,
    )
  } finally {
    await caller?.close()
    await db.close()
  }
} catch (err) {
  failAndExit('tiles:seed', err)
}
