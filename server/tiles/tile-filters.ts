import type { LayerDef } from '../../tiles/layer-def.js'
import { ASSURANCE_GAPS } from '../../domain/codes.js'

export class TileRequestError extends Error {
  override name = 'TileRequestError'
}

/**
 * Validates a tile request's query string against the layers' declared filters and returns the
 * normalised filter (sorted, de-duplicated, defaults filled): the SQL parameter and the cache key.
 * Anything undeclared or malformed is refused before any SQL runs.
 */
export function normaliseFilter(layers: readonly LayerDef[], query: Record<string, unknown>): Record<string, unknown> {
  const specs = new Map(layers.flatMap((l) => Object.entries(l.filters)))
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(query)) {
    if (!specs.has(key)) {
      const allowed = [...specs.keys()]
      throw new TileRequestError(`unknown filter "${key}"; ${allowed.length ? `allowed: ${allowed.join(', ')}` : 'this layer takes no filters'}`)
    }
  }
  for (const [key, spec] of [...specs.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const raw = query[key]
    if (Array.isArray(raw)) throw new TileRequestError(`filter "${key}" given more than once; use one comma-separated value`)
    if (raw !== undefined && typeof raw !== 'string') throw new TileRequestError(`filter "${key}" must be text`)
    if (spec.kind === 'int') {
      if (raw === undefined || raw === '') {
        out[key] = spec.default
        continue
      }
      if (!/^-?\d{1,9}$/.test(raw)) throw new TileRequestError(`filter "${key}" must be an integer, got "${raw.slice(0, 40)}"`)
      const n = Number(raw)
      if (n < spec.min || n > spec.max) throw new TileRequestError(`filter "${key}" must be between ${spec.min} and ${spec.max}`)
      out[key] = n
    } else {
      if (raw === undefined || raw === '') continue
      const values = [...new Set(raw.split(','))].sort()
      const bad = values.filter((v) => !spec.values.includes(v))
      if (bad.length) throw new TileRequestError(`filter "${key}" has unknown value(s) ${bad.map((b) => `"${b.slice(0, 40)}"`).join(', ')}; allowed: ${spec.values.join(', ')}`)
      out[key] = values
    }
  }
  if (Array.isArray(out.gap)) {
    // The SQL tests gaps as a bitmask: 1 food_clothing, 2 education, 4 medical, 8 housing, 16 water.
    out.gapmask = (out.gap as string[]).reduce((m, g) => m | (1 << ASSURANCE_GAPS.indexOf(g as (typeof ASSURANCE_GAPS)[number])), 0)
  }
  return out
}

export interface TileAddress {
  z: number
  x: number
  y: number
}

/** z/x/y from path segments; y may carry the .mvt/.png suffix. */
export function parseTileAddress(zs: string, xs: string, ys: string, suffix: string): TileAddress {
  if (!ys.endsWith(suffix)) throw new TileRequestError(`tile path must end in ${suffix}`)
  const yPart = ys.slice(0, -suffix.length)
  for (const [name, v] of [['z', zs], ['x', xs], ['y', yPart]] as const) {
    if (!/^\d{1,8}$/.test(v)) throw new TileRequestError(`${name} must be a non-negative integer, got "${v.slice(0, 20)}"`)
  }
  const z = Number(zs)
  const x = Number(xs)
  const y = Number(yPart)
  if (z > 22) throw new TileRequestError(`z must be between 0 and 22, got ${z}`)
  const n = 2 ** z
  if (x >= n || y >= n) throw new TileRequestError(`x and y must be below ${n} at zoom ${z}`)
  return { z, x, y }
}
