import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errorResponses } from '../../domain/schemas/common.js'
import { CAPTION_HEADER, MAX_CAPTION, Photo, PhotoListQuery, PhotoParams, PhotoUploadHeaders, PhotoUploadQuery } from '../../domain/schemas/photos.js'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'
import { scrubPersonal } from '../../domain/masking.js'
import { ImageError, MAX_PHOTO_PIXELS, reencodeImage, sniffImage, type ImageType } from './reencode.js'
import { UploadQuota, type UploadQuotaOptions } from './upload-quota.js'
import type { Queryable } from '../db/types.js'
import { HOUSEHOLD_OF_PHOTO, PHOTO_BY_REF, PHOTO_INSERT, PHOTO_LIST, PROJECT_AREA, VILLAGE_EXISTS } from './photo-queries.js'

export interface PhotosOptions {
  /** DATA_DIR/photos: created on the first upload, mode 0700; files named <ref>.jpg|png only. */
  dir: string
  /** Photos and bytes per user per hour (see UploadQuota). */
  quota?: UploadQuotaOptions
  /** The most pixels a photo may have (default MAX_PHOTO_PIXELS, 40 megapixels). */
  maxPixels?: number
}

/** Largest photo accepted (a phone photo at full resolution is 2–6 MB). */
export const MAX_PHOTO_BYTES = 8 * 1024 * 1024

const EXTENSION: Record<ImageType, string> = { 'image/jpeg': '.jpg', 'image/png': '.png' }

type UploadResult = { photo: Omit<Photo, 'url'> } | { missing: string; target: string } | { forbidden: string }

const withUrl = (p: Omit<Photo, 'url'>): Photo => ({ ...p, url: `/api/photos/${p.ref}` })

/**
 * Field photos of villages, households and projects (驻村工作队 on their phones). Bytes under
 * DATA_DIR/photos named by a random ref, re-encoded without metadata (GPS, maker notes); a row per photo in
 * `photo`, whose row-level security gives household photos to the registry roles of the area and
 * village and project photos to every role that sees the area. Uploads: the village work team, for
 * its own village. Every read of a household photo is audited.
 *
 * Uploads are raw `image/jpeg` or `image/png` bodies (no multipart parser is installed): a cross-site
 * form cannot send those types, and a cross-site fetch with them needs a CORS preflight this server
 * never grants; the CSRF token is required as for every POST.
 */
const photos: FastifyPluginAsync<PhotosOptions> = async (app, opts) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const quota = new UploadQuota(opts.quota)
  // Encapsulated: the image parsers exist for the routes of this plugin only.
  app.addContentTypeParser(['image/jpeg', 'image/png'], { parseAs: 'buffer', bodyLimit: MAX_PHOTO_BYTES }, (_req, body, done) => done(null, body))

  const denied = async (req: FastifyRequest, target: string, reason: string) =>
    app.audit(req, { action: 'access.denied', outcome: 'denied', area: req.caller?.scope ?? null, target, detail: { reason, route: req.routeOptions.url } })

  r.post(
    '/api/photos',
    {
      bodyLimit: MAX_PHOTO_BYTES,
      config: { access: 'field', rateLimit: { max: 60, timeWindow: 60_000 } },
      // Before the body is read (the auth plugin has refused callers who may not upload by then).
      preParsing: async (req, reply) => {
        const c = req.caller
        const length = req.headers['content-length']
        if (!c || (length === undefined && req.headers['transfer-encoding'] === undefined) || length === '0') return
        // Declared: Fastify refuses a body longer than it says. Longer than allowed: refused unread (413). None: chunked, up to the limit.
        const declared = length === undefined ? MAX_PHOTO_BYTES : Number(length)
        if (!(declared <= MAX_PHOTO_BYTES)) return
        const answer = quota.take(c.userId, declared)
        // Awaited to the end of the answer, so that the body parser does not start meanwhile (Fastify's `return reply`).
        if (!answer.ok) await reply.code(429).header('retry-after', String(answer.retryAfterS)).send({ error: 'Too Many Requests', message: answer.message })
      },
      schema: {
        summary: 'Upload a field photo (body: the image/jpeg or image/png bytes) of a village, a household or a project of your village',
        description:
          'Exactly one of area (a village code), household (a household ref) or project (a project id); a caption in the x-photo-caption header, ' +
          'URI-encoded (encodeURIComponent: it stays out of URLs and request logs). The picture is re-encoded, upright, without any metadata ' +
          `(Exif/GPS, XMP, IPTC, ICC, comments, trailers, PNG text and unknown chunks); at most ${MAX_PHOTO_PIXELS / 1e6} megapixels. ` +
          'Send the position as lon/lat if it should be kept. Quota per user and hour: 429 with Retry-After, before the body is read.',
        tags: ['photos'],
        querystring: PhotoUploadQuery,
        headers: PhotoUploadHeaders,
        response: { 201: Photo, ...errorResponses(400, 401, 403, 404, 413, 415, 429) },
      },
    },
    async (req, reply) => {
      const q = req.query
      const c = req.caller!
      if ([q.area, q.household, q.project].filter((x) => x !== undefined).length !== 1) {
        return reply.code(400).send({ error: 'Bad Request', message: 'give exactly one of area, household or project' })
      }
      if ((q.lon === undefined) !== (q.lat === undefined)) return reply.code(400).send({ error: 'Bad Request', message: 'give lon and lat together' })
      const caption = captionOf(req.headers[CAPTION_HEADER])
      if (caption instanceof Error) return reply.code(400).send({ error: 'Bad Request', message: caption.message })
      const body = req.body
      const declared = req.headers['content-type']?.split(';')[0]?.trim()
      if (!Buffer.isBuffer(body) || (declared !== 'image/jpeg' && declared !== 'image/png')) {
        return reply.code(415).send({ error: 'Unsupported Media Type', message: 'send the photo as an image/jpeg or image/png body' })
      }
      if (sniffImage(body) !== declared) return reply.code(415).send({ error: 'Unsupported Media Type', message: `the body is not a ${declared} image` })
      let image: Buffer
      try {
        image = (await reencodeImage(body, declared, { maxPixels: opts.maxPixels })).image
      } catch (e) {
        if (!(e instanceof ImageError)) throw e
        return reply.code(e.status).send({ error: e.status === 413 ? 'Payload Too Large' : 'Bad Request', message: e.message })
      }

      const ref = randomUUID()
      const file = join(opts.dir, `${ref}${EXTENSION[declared]}`)
      await mkdir(opts.dir, { recursive: true, mode: 0o700 })
      await writeFile(`${file}.part`, image, { mode: 0o600, flag: 'wx' })
      await rename(`${file}.part`, file)
      try {
        const result = await app.scopedDb(req).run(async (tx: Queryable): Promise<UploadResult> => {
          // What the photo shows, found as the caller (RLS): a household or project out of reach is a 404.
          let subject: 'village' | 'household' | 'project' = 'village'
          let area = q.area ?? null
          let householdId: number | null = null
          if (q.household !== undefined) {
            subject = 'household'
            const h = (await tx.query<{ id: number; village: string }>(HOUSEHOLD_OF_PHOTO, [q.household])).rows[0]
            if (!h) return { missing: `no household ${q.household}`, target: q.household }
            householdId = h.id
            area = h.village
          } else if (q.project !== undefined) {
            subject = 'project'
            const p = (await tx.query<{ area: string }>(PROJECT_AREA, [q.project])).rows[0]
            if (!p) return { missing: `no project ${q.project}`, target: String(q.project) }
            area = p.area
          } else {
            const v = (await tx.query(VILLAGE_EXISTS, [q.area, 'village'])).rows[0]
            if (!v) return { missing: `no village ${q.area}`, target: q.area! }
          }
          if (!area!.startsWith(c.scope)) return { forbidden: `the ${subject} is not in your village (${c.scope})` }
          await tx.query(PHOTO_INSERT, [
            ref, subject, area, householdId, q.project ?? null, declared, image.length, createHash('sha256').update(image).digest('hex'), caption === undefined ? null : scrubPersonal(caption),
            q.lon ?? null, q.lat ?? null, c.userId, c.username,
          ])
          await appendAudit(tx, {
            ...auditFields(req),
            action: 'photo.upload',
            outcome: 'ok',
            area,
            target: ref,
            detail: { subject, bytes: image.length, sentBytes: body.length, ...(q.household ? { household: q.household } : {}), ...(q.project ? { project: q.project } : {}) },
          })
          return { photo: (await tx.query<Omit<Photo, 'url'>>(PHOTO_BY_REF, [ref])).rows[0]! }
        })
        if ('photo' in result) return reply.code(201).send(withUrl(result.photo))
        await unlink(file).catch(() => undefined)
        if ('forbidden' in result) {
          await denied(req, 'POST /api/photos', 'photo outside the village')
          return reply.code(403).send({ error: 'Forbidden', message: result.forbidden })
        }
        await denied(req, result.target, subjectOf(q))
        return reply.code(404).send({ error: 'Not Found', message: result.missing })
      } catch (e) {
        await unlink(file).catch(() => undefined)
        throw e
      }
    },
  )

  r.get(
    '/api/photos',
    {
      schema: {
        summary: 'Photos of an area (household photos for the roles that see households), newest first',
        tags: ['photos'],
        querystring: PhotoListQuery,
        response: { 200: Type.Array(Photo), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const rows = (await app.scopedDb(req).query<Omit<Photo, 'url'>>(PHOTO_LIST, [req.query.area, req.query.subject ?? null, req.query.limit])).rows
      return rows.map(withUrl)
    },
  )

  r.get(
    '/api/photos/:ref',
    {
      schema: {
        summary: 'The image bytes of a photo (a household photo read is audited)',
        tags: ['photos'],
        params: PhotoParams,
        response: errorResponses(400, 401, 403, 404),
      },
    },
    async (req, reply) => {
      const { ref } = req.params
      const photo = await app.scopedDb(req).run(async (tx) => {
        const p = (await tx.query<Omit<Photo, 'url'>>(PHOTO_BY_REF, [ref])).rows[0]
        if (p?.subject === 'household') {
          await appendAudit(tx, { ...auditFields(req), action: 'photo.view', outcome: 'ok', area: p.areaCode, target: ref, detail: { subject: p.subject, household: p.household } })
        }
        return p
      })
      if (!photo) {
        await denied(req, ref, 'photo')
        return reply.code(404).send({ error: 'Not Found', message: `no photo ${ref}` })
      }
      const type = photo.mediaType as ImageType
      let bytes: Buffer
      try {
        bytes = await readFile(join(opts.dir, `${ref}${EXTENSION[type]}`))
      } catch (e) {
        req.log.warn({ err: e, ref }, 'photo file missing')
        return reply.code(404).send({ error: 'Not Found', message: `the file of photo ${ref} is missing` })
      }
      return reply
        .type(type)
        .header('content-disposition', `inline; filename="${ref}${EXTENSION[type]}"`)
        .header('cache-control', 'private, no-store')
        .send(bytes)
    },
  )
}

/** The caption sent in x-photo-caption (URI-encoded UTF-8), undefined when none, or what is wrong with it. */
function captionOf(raw: string | string[] | undefined): string | undefined | Error {
  if (raw === undefined) return undefined
  let caption: string
  try {
    caption = decodeURIComponent(String(raw))
  } catch {
    return new Error(`${CAPTION_HEADER} must be URI-encoded UTF-8 (encodeURIComponent)`)
  }
  const length = [...caption].length
  if (length < 1 || length > MAX_CAPTION) return new Error(`${CAPTION_HEADER} must hold 1 to ${MAX_CAPTION} characters (it holds ${length})`)
  return caption
}

function subjectOf(q: { household?: string; project?: number }): string {
  return q.household !== undefined ? 'household' : q.project !== undefined ? 'project' : 'village'
}

export default photos
