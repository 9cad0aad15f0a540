import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AreaCode, errorResponses, OneOf, Year } from '../../domain/schemas/common.js'
import { LAYER_BY_ID } from '../../tiles/registry.js'
import { normaliseFilter, TileRequestError } from '../tiles/tile-filters.js'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'
import { EXPORT_AREA, EXPORT_AREA_BOUNDS, REGISTRY_EXPORT } from './export-queries.js'
import { BASE_LAYERS } from '../../tiles/registry.js'
import { tileJson } from '../tiles/style.js'
import { tilesCovering } from '../tiles/tile-math.js'
import { REGISTRY_ROLES } from '../../domain/roles.js'
import { PmtilesWriter } from './pmtiles-writer.js'
import { EXPORT_FORMATS, exportCsv, exportGeoJson, exportShapefile, exportXlsx, type ExportRow } from './export-formats.js'

/** The most households one export holds (a county's registry; a prefecture or the province: per county). */
export const REGISTRY_EXPORT_MAX_ROWS = 100_000

const FilterList = Type.Optional(Type.String({ maxLength: 200, description: 'comma list, the values of the households tile layer filter of that name' }))
export const ExportQuery = Type.Object(
  { area: AreaCode, format: OneOf(EXPORT_FORMATS, { default: 'csv' }), year: Year, status: FilterList, cause: FilterList, gap: FilterList },
  { additionalProperties: false },
)

/** The most tiles one PMTiles export renders (a county to z12 is a few hundred). */
export const PMTILES_MAX_TILES = 5_000
const PmtilesQuery = Type.Object(
  {
    area: AreaCode,
    minzoom: Type.Integer({ minimum: 0, maximum: 14, default: 6 }),
    maxzoom: Type.Integer({ minimum: 0, maximum: 14, default: 10 }),
  },
  { additionalProperties: false },
)

const TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  geojson: 'application/geo+json',
  shp: 'application/zip',
} as const
const EXTENSIONS = { csv: 'csv', xlsx: 'xlsx', geojson: 'geojson', shp: 'shp.zip' } as const

/**
 * The caller's view of the registry of an area (its households in a year, with the map's filters) as CSV,
 * XLSX, GeoJSON or a zipped Shapefile: personal fields masked, out-of-area refused (the access rules and
 * row-level security), every export audited in the transaction that read it.
 */
const exportRoutes: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/export',
    {
      config: { access: 'registry', rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        summary: 'The registered households of an area as CSV (UTF-8, BOM), XLSX, GeoJSON or zipped Shapefile; personal data masked (audited)',
        tags: ['reports'],
        querystring: ExportQuery,
        response: errorResponses(400, 401, 403, 404, 413),
      },
    },
    async (req, reply) => {
      const { area, format, year, ...lists } = req.query
      let filter: Record<string, unknown>
      try {
        filter = { ...normaliseFilter([LAYER_BY_ID.get('households')!], lists), year }
      } catch (err) {
        if (err instanceof TileRequestError) return reply.code(400).send({ error: 'Bad Request', message: err.message })
        throw err
      }
      const found = await app.scopedDb(req).run(async (tx) => {
        const name = (await tx.query<{ name: string }>(EXPORT_AREA, [area])).rows[0]?.name
        if (name === undefined) return null
        const rows = (await tx.query<ExportRow>(REGISTRY_EXPORT, [area, year, REGISTRY_EXPORT_MAX_ROWS + 1, JSON.stringify(filter)])).rows
        const tooMany = rows.length > REGISTRY_EXPORT_MAX_ROWS
        await appendAudit(tx, {
          ...auditFields(req),
          action: 'export.registry',
          outcome: tooMany ? 'denied' : 'ok',
          area,
          detail: { format, year, ...lists, rows: Math.min(rows.length, REGISTRY_EXPORT_MAX_ROWS), masked: true },
        })
        return { name, rows, tooMany }
      })
      if (!found) return reply.code(404).send({ error: 'Not Found', message: `no administrative division with code ${area}` })
      if (found.tooMany) return reply.code(413).send({ error: 'Payload Too Large', message: `more than ${REGISTRY_EXPORT_MAX_ROWS} households: export a smaller area` })
      const file = `households-${area}-${year}.${EXTENSIONS[format]}`
      reply.type(TYPES[format]).header('content-disposition', `attachment; filename="${file}"`)
      switch (format) {
        case 'csv':
          return reply.send(exportCsv(found.rows))
        case 'xlsx':
          return reply.send(await exportXlsx(found.rows, `${found.name} ${year}年 建档立卡户`))
        case 'geojson':
          return reply.send(JSON.stringify(exportGeoJson(found.rows)))
        case 'shp':
          return reply.send(await exportShapefile(found.rows, `households_${area}_${year}`))
      }
    },
  )

  /**
   * The base layers of an area as a PMTiles archive for offline GIS (QGIS, MapLibre with the pmtiles protocol):
   * the tiles covering the area, rendered in the caller's view (households only for the registry roles, and
   * then only their own area's, by row-level security), audited.
   */
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/export/pmtiles',
    {
      config: { rateLimit: { max: 5, timeWindow: 60_000 } },
      schema: {
        summary: 'The base layers of an area as a PMTiles v3 archive (households only for roles that see them, in their area; audited)',
        tags: ['reports'],
        querystring: PmtilesQuery,
        response: errorResponses(400, 401, 403, 404, 413),
      },
    },
    async (req, reply) => {
      const { area, minzoom, maxzoom } = req.query
      if (minzoom > maxzoom) return reply.code(400).send({ error: 'Bad Request', message: 'minzoom must not exceed maxzoom' })
      const caller = app.dbCaller(req)
      const bbox = (await app.scopedDb(req).query<{ bbox: [number, number, number, number] | null }>(EXPORT_AREA_BOUNDS, [area])).rows[0]?.bbox
      if (!bbox) return reply.code(404).send({ error: 'Not Found', message: `no administrative division with code ${area}` })
      const withHouseholds = REGISTRY_ROLES.includes(caller.role)
      const layers = withHouseholds ? BASE_LAYERS : BASE_LAYERS.filter((l) => l.id !== 'households')
      const tiles = Array.from({ length: maxzoom - minzoom + 1 }, (_v, i) => tilesCovering(bbox, minzoom + i)).flat()
      if (tiles.length > PMTILES_MAX_TILES) return reply.code(413).send({ error: 'Payload Too Large', message: `${tiles.length} tiles: ask for a smaller area or a lower maxzoom` })
      const view = app.requestDb.view({ role: caller.role, scope: caller.scope, sid: caller.sid })
      const scope = { key: `${caller.role}:${caller.scope}`, run: <T>(fn: (q: typeof view) => Promise<T>) => fn(view) }
      const filter = normaliseFilter(layers, {})
      const writer = new PmtilesWriter()
      for (const t of tiles) {
        const tile = await app.tiles.tile('base', layers, t, filter, scope)
        if (tile.body.length > 0) writer.add(t.z, t.x, t.y, tile.body)
      }
      const tj = tileJson('', 'base', layers, `povmap base layers of ${area} (demo data), as seen by ${caller.role} of ${caller.scope}`)
      const archive = writer.finish({
        bounds: bbox,
        center: [(bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2, minzoom],
        minzoom,
        maxzoom,
        json: { name: `povmap-${area}`, format: 'pbf', description: tj.description, attribution: tj.attribution, vector_layers: tj.vector_layers },
      })
      await app.audit(req, { action: 'export.tiles', outcome: 'ok', area, detail: { format: 'pmtiles', minzoom, maxzoom, tiles: writer.size, households: withHouseholds } })
      return reply.type('application/vnd.pmtiles').header('content-disposition', `attachment; filename="povmap-${area}.pmtiles"`).send(archive)
    },
  )
}

export default exportRoutes
