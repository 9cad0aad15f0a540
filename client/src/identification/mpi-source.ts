/**
 * The AF measure as a choropleth source: M0, H, A, the official headcount or one indicator's
 * contribution for each child area, computed in the browser from the children's deprivation patterns
 * (GET …/children/mpi/profile, fetched once per parent and year) with the weights and k of the
 * identification screen, so moving a slider recolours the map without a request.
 */
import { FIRST_YEAR, LAST_YEAR } from '../../../domain/codes.js'
import type { ChildrenIndicator, Indicator } from '../../../domain/schemas/diagnosis.js'
import type { ChildrenMpiProfile, IdentificationConfig } from '../../../domain/identification/schemas.js'
import { measureFromProfile, type MeasureFromProfile } from '../../../domain/identification/profile.js'
import { identificationApi } from './identification-api.js'
import { useSessionStore } from '../stores/session.js'

export const MPI_MEASURES = ['M0', 'H', 'A', 'officialH', 'severe', 'contribution'] as const
export type MpiMeasure = (typeof MPI_MEASURES)[number]

/** What the choropleth shows when it shows the AF measure (the choropleth store holds it). */
export interface MpiChoropleth {
  measure: MpiMeasure
  /** For 'contribution': the AF indicator code. */
  indicator?: string
  k: number
  weights: Record<string, number>
  /** The indicator's names, for the legend of a contribution. */
  label?: { zh: string; en: string }
}

const NAMES: Record<MpiMeasure, { zh: string; en: string }> = {
  M0: { zh: '多维贫困指数 M0', en: 'Adjusted headcount ratio M0' },
  H: { zh: '多维贫困发生率 H', en: 'Headcount ratio H' },
  A: { zh: '平均剥夺强度 A', en: 'Intensity A' },
  officialH: { zh: '现行标准未脱贫人口占比', en: 'Share poor by the official rule' },
  severe: { zh: '严重多维贫困（≥50%）占比', en: 'Severely poor share (≥ 50 %)' },
  contribution: { zh: '指标贡献率', en: 'Contribution of an indicator' },
}

export const mpiCode = (s: MpiChoropleth) => `mpi:${s.measure}${s.indicator ? `:${s.indicator}` : ''}`

/** A definition in the shape of the environment indicators, for the legend and the layer. */
export function mpiIndicator(s: MpiChoropleth, config: IdentificationConfig | null): Indicator {
  const def = s.indicator ? config?.indicators.find((d) => d.code === s.indicator) : undefined
  const ind = s.label ?? (def ? { zh: def.nameZh, en: def.nameEn } : undefined)
  const n = NAMES[s.measure]
  return {
    code: mpiCode(s),
    nameZh: ind ? `${n.zh}：${ind.zh}` : n.zh,
    nameEn: ind ? `${n.en}: ${ind.en}` : n.en,
    unit: 'ratio',
    direction: 'lower_better',
    category: 'identification',
    description: `k = ${Math.round(s.k * 1000) / 1000}`,
    aggregation: 'weighted_mean',
    years: Array.from({ length: LAST_YEAR - FIRST_YEAR + 1 }, (_, i) => FIRST_YEAR + i),
    threshold: null,
  }
}

export function measureValue(m: MeasureFromProfile, s: MpiChoropleth): number | null {
  if (m.population === 0) return null
  if (s.measure === 'contribution') return s.indicator ? (m.contributions[s.indicator] ?? null) : null
  return m[s.measure]
}

let configPromise: Promise<IdentificationConfig> | null = null
/** The AF indicators and default measure (cached for the page; the workspace refreshes it after changes). */
export function loadConfig(signal?: AbortSignal, fresh = false): Promise<IdentificationConfig> {
  if (fresh || !configPromise) configPromise = identificationApi.config(signal).catch((e: unknown) => ((configPromise = null), Promise.reject(e)))
  return configPromise
}
const profiles = new Map<string, Promise<ChildrenMpiProfile>>()
function childrenProfile(parent: string, year: number, signal: AbortSignal) {
  // Figures are the caller's (row-level security): keyed by who asked, never shown to the next user.
  const key = `${useSessionStore().user?.username ?? ''}/${parent}/${year}`
  let p = profiles.get(key)
  if (!p) {
    p = identificationApi.childrenProfile(parent, year, signal).catch((e: unknown) => (profiles.delete(key), Promise.reject(e)))
    profiles.set(key, p)
    if (profiles.size > 40) profiles.delete(profiles.keys().next().value!)
  }
  return p
}
/** Forgets cached profiles (after a re-identification, at sign-out). */
export const forgetProfiles = () => profiles.clear()

/** The choropleth values of the children of `parent` for the measure, weights and k of `s`. */
export async function mpiChildrenValues(parent: string, year: number, s: MpiChoropleth, signal: AbortSignal): Promise<ChildrenIndicator> {
  const [config, p] = await Promise.all([loadConfig(signal), childrenProfile(parent, year, signal)])
  return {
    code: parent,
    indicator: mpiCode(s),
    year,
    level: p.level,
    values: p.children.map((c) => {
      let value: number | null = null
      try {
        value = measureValue(measureFromProfile(config.indicators, s.weights, s.k, c.rows), s)
      } catch {
        value = null // weights that weigh nothing: no measure
      }
      return { code: c.code, name: c.name, value, villages: c.rows.reduce((n, r) => n + r.households, 0) }
    }),
  }
}
