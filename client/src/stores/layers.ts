import { defineStore } from 'pinia'
import { ref } from 'vue'
import { CHOROPLETH, filterValues, HOUSEHOLDS, PROJECTS, TOGGLE_IDS, yearFilter } from '../layers/catalog.js'
import type { ColorBy, LowZoomMode } from '../url/view-url.js'

export const DEFAULT_LAYERS: readonly string[] = ['villages', 'water', 'roads', 'households', CHOROPLETH]

export const HOUSEHOLD_DEFAULTS = {
  year: yearFilter(HOUSEHOLDS).default,
  status: [] as string[],
  cause: [] as string[],
  gap: [] as string[],
  colorBy: 'status' as ColorBy,
  mode: 'hexagon' as LowZoomMode,
}

/** Which layers are on, and the filters of the households and projects layers (empty list = all). */
export const useLayersStore = defineStore('layers', () => {
  const visible = ref<string[]>([...DEFAULT_LAYERS])
  const households = ref({ ...HOUSEHOLD_DEFAULTS, status: [] as string[], cause: [] as string[], gap: [] as string[] })
  const projects = ref({ type: [] as string[], stage: [] as string[] })

  function isVisible(id: string): boolean {
    return visible.value.includes(id)
  }
  function setVisible(id: string, on: boolean) {
    if (!TOGGLE_IDS.includes(id)) throw new Error(`no layer ${id}`)
    const rest = visible.value.filter((v) => v !== id)
    // Keep the declaration order, so the URL is stable.
    visible.value = on ? TOGGLE_IDS.filter((t) => t === id || rest.includes(t)) : rest
  }
  function setLayers(ids: readonly string[]) {
    visible.value = TOGGLE_IDS.filter((t) => ids.includes(t))
  }
  /** Sets one household filter list, keeping only declared values in declared order. */
  function setHouseholdFilter(key: 'status' | 'cause' | 'gap', values: readonly string[]) {
    households.value[key] = filterValues(HOUSEHOLDS, key).filter((v) => values.includes(v))
  }
  function setHouseholdYear(year: number) {
    const { min, max } = yearFilter(HOUSEHOLDS)
    households.value.year = Math.min(max, Math.max(min, Math.round(year)))
  }
  function setProjectFilter(key: 'type' | 'stage', values: readonly string[]) {
    projects.value[key] = filterValues(PROJECTS, key).filter((v) => values.includes(v))
  }
  function reset() {
    visible.value = [...DEFAULT_LAYERS]
    households.value = { ...HOUSEHOLD_DEFAULTS, status: [], cause: [], gap: [] }
    projects.value = { type: [], stage: [] }
  }
  return { visible, households, projects, isVisible, setVisible, setLayers, setHouseholdFilter, setHouseholdYear, setProjectFilter, reset }
})

/** The households tile URL's query string for the current filters (the server whitelists the same declaration). */
export function householdQuery(h: { year: number; status: readonly string[]; cause: readonly string[]; gap: readonly string[] }): string {
  const q = new URLSearchParams({ year: String(h.year) })
  for (const key of ['status', 'cause', 'gap'] as const) if (h[key].length) q.set(key, h[key].join(','))
  return q.toString().replace(/%2C/g, ',')
}
