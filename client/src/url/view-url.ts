/**
 * The map's state in the URL's query string, so that a copied link reopens the same map: camera,
 * 3D terrain, selection and comparison, visible layers, household and project filters, choropleth,
 * inspection step and language. Pure functions: decoding drops anything malformed or not allowed.
 */
import { isAdminCode } from '../../../domain/admin-codes.js'

export const LOW_ZOOM_MODES = ['hexagon', 'heatmap', 'circles'] as const
export type LowZoomMode = (typeof LOW_ZOOM_MODES)[number]
export const COLOR_BY = ['status', 'cause'] as const
export type ColorBy = (typeof COLOR_BY)[number]
export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const CLASS_METHOD_KEYS = ['jenks', 'quantile', 'equal'] as const
export const RENDER_QUALITIES = ['auto', 'full'] as const

export interface ViewState {
  camera: { center: [number, number]; zoom: number; bearing: number; pitch: number } | null
  terrain: boolean
  selected: string | null
  compare: string | null
  layers: string[]
  households: { year: number; status: string[]; cause: string[]; gap: string[]; colorBy: ColorBy; mode: LowZoomMode }
  projects: { type: string[]; stage: string[] }
  choropleth: { indicator: string | null; year: number; method: (typeof CLASS_METHOD_KEYS)[number]; classes: number }
  /** Inspection step (0-based) when the inspection view is open; presenting = full-screen mode. */
  inspection: { index: number; presenting: boolean } | null
  locale: Locale
  /** 'full': draw at full resolution even where WebGL is software-rendered. */
  renderQuality: (typeof RENDER_QUALITIES)[number]
}

/** What the decoder accepts: the enum lists come from the tile layer declarations. */
export interface Allowed {
  layers: readonly string[]
  status: readonly string[]
  cause: readonly string[]
  gap: readonly string[]
  type: readonly string[]
  stage: readonly string[]
  years: { min: number; max: number }
}

const INDICATOR = /^[a-z][a-z0-9_]{0,63}$/

const round = (x: number, d: number) => Number(x.toFixed(d))

export function encodeView(s: ViewState, defaults: ViewState): URLSearchParams {
  const q = new URLSearchParams()
  if (s.camera) {
    const c = s.camera
    q.set('v', [round(c.center[0], 5), round(c.center[1], 5), round(c.zoom, 2), round(c.bearing, 1), round(c.pitch, 1)].join(','))
  }
  if (s.terrain) q.set('t3d', '1')
  if (s.selected) q.set('sel', s.selected)
  if (s.compare) q.set('cmp', s.compare)
  q.set('lyr', s.layers.join(','))
  const h = s.households
  if (h.year !== defaults.households.year) q.set('hy', String(h.year))
  if (h.status.length) q.set('hs', h.status.join(','))
  if (h.cause.length) q.set('hc', h.cause.join(','))
  if (h.gap.length) q.set('hg', h.gap.join(','))
  if (h.colorBy !== defaults.households.colorBy) q.set('hcol', h.colorBy)
  if (h.mode !== defaults.households.mode) q.set('hm', h.mode)
  if (s.projects.type.length) q.set('pt', s.projects.type.join(','))
  if (s.projects.stage.length) q.set('ps', s.projects.stage.join(','))
  const ch = s.choropleth
  if (ch.indicator) q.set('ind', ch.indicator)
  if (ch.year !== defaults.choropleth.year) q.set('iy', String(ch.year))
  if (ch.method !== defaults.choropleth.method) q.set('cls', ch.method)
  if (ch.classes !== defaults.choropleth.classes) q.set('k', String(ch.classes))
  if (s.inspection) q.set('insp', `${s.inspection.index}${s.inspection.presenting ? 'p' : ''}`)
  if (s.locale !== defaults.locale) q.set('lang', s.locale)
  if (s.renderQuality !== defaults.renderQuality) q.set('rq', s.renderQuality)
  return q
}

function list(raw: string | null, allowed: readonly string[]): string[] | undefined {
  if (raw === null) return undefined
  if (raw === '') return []
  const values = [...new Set(raw.split(','))].filter((v) => allowed.includes(v))
  return allowed.filter((v) => values.includes(v))
}

function int(raw: string | null, min: number, max: number): number | undefined {
  if (raw === null || !/^-?\d{1,6}$/.test(raw)) return undefined
  const n = Number(raw)
  return n >= min && n <= max ? n : undefined
}

function oneOf<T extends string>(raw: string | null, values: readonly T[]): T | undefined {
  return values.find((v) => v === raw)
}

/** The state a query string asks for, on top of the defaults. */
export function decodeView(search: string | URLSearchParams, defaults: ViewState, allowed: Allowed): ViewState {
  const q = typeof search === 'string' ? new URLSearchParams(search) : search
  const s: ViewState = structuredClone(defaults)
  const v = q.get('v')?.split(',').map(Number)
  if (v && v.length === 5 && v.every(Number.isFinite)) {
    const [lon, lat, zoom, bearing, pitch] = v as [number, number, number, number, number]
    if (Math.abs(lon) <= 180 && Math.abs(lat) <= 85 && zoom >= 0 && zoom <= 22 && pitch >= 0 && pitch <= 85) {
      s.camera = { center: [lon, lat], zoom, bearing: ((((bearing + 180) % 360) + 360) % 360) - 180, pitch }
    }
  }
  s.terrain = q.get('t3d') === '1'
  const sel = q.get('sel')
  if (sel && isAdminCode(sel)) s.selected = sel
  const cmp = q.get('cmp')
  if (cmp && isAdminCode(cmp)) s.compare = cmp
  s.layers = list(q.get('lyr'), allowed.layers) ?? s.layers
  const h = s.households
  h.year = int(q.get('hy'), allowed.years.min, allowed.years.max) ?? h.year
  h.status = list(q.get('hs'), allowed.status) ?? h.status
  h.cause = list(q.get('hc'), allowed.cause) ?? h.cause
  h.gap = list(q.get('hg'), allowed.gap) ?? h.gap
  h.colorBy = oneOf(q.get('hcol'), COLOR_BY) ?? h.colorBy
  h.mode = oneOf(q.get('hm'), LOW_ZOOM_MODES) ?? h.mode
  s.projects.type = list(q.get('pt'), allowed.type) ?? s.projects.type
  s.projects.stage = list(q.get('ps'), allowed.stage) ?? s.projects.stage
  const ch = s.choropleth
  const ind = q.get('ind')
  if (ind && INDICATOR.test(ind)) ch.indicator = ind
  ch.year = int(q.get('iy'), allowed.years.min, allowed.years.max) ?? ch.year
  ch.method = oneOf(q.get('cls'), CLASS_METHOD_KEYS) ?? ch.method
  ch.classes = int(q.get('k'), 3, 7) ?? ch.classes
  const insp = /^(\d{1,4})(p?)$/.exec(q.get('insp') ?? '')
  if (insp) s.inspection = { index: Number(insp[1]), presenting: insp[2] === 'p' }
  s.locale = oneOf(q.get('lang'), LOCALES) ?? s.locale
  s.renderQuality = oneOf(q.get('rq'), RENDER_QUALITIES) ?? s.renderQuality
  return s
}
