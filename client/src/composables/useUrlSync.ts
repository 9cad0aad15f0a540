import { computed, watch } from 'vue'
import { filterValues, HOUSEHOLDS, PROJECTS, TOGGLE_IDS, yearFilter } from '../layers/catalog.js'
import { CHOROPLETH_DEFAULTS, useChoroplethStore } from '../stores/choropleth.js'
import { useInspectionStore } from '../stores/inspection.js'
import { DEFAULT_LAYERS, HOUSEHOLD_DEFAULTS, useLayersStore } from '../stores/layers.js'
import { useMapViewStore } from '../stores/map-view.js'
import { useSelectionStore } from '../stores/selection.js'
import { useUiStore } from '../stores/ui.js'
import { PROVINCE } from '../areas/codes.js'
import { decodeView, encodeView, type Allowed, type ViewState } from '../url/view-url.js'

/** What a link may ask for: the tile layer declarations' own whitelists. */
export const ALLOWED: Allowed = {
  layers: TOGGLE_IDS,
  status: filterValues(HOUSEHOLDS, 'status'),
  cause: filterValues(HOUSEHOLDS, 'cause'),
  gap: filterValues(HOUSEHOLDS, 'gap'),
  type: filterValues(PROJECTS, 'type'),
  stage: filterValues(PROJECTS, 'stage'),
  years: yearFilter(HOUSEHOLDS),
}

export const DEFAULT_VIEW: ViewState = {
  camera: null,
  terrain: false,
  selected: null,
  compare: null,
  layers: [...DEFAULT_LAYERS],
  households: { ...HOUSEHOLD_DEFAULTS },
  projects: { type: [], stage: [] },
  choropleth: { ...CHOROPLETH_DEFAULTS },
  inspection: null,
  locale: 'zh-CN',
  renderQuality: 'auto',
}

/** The parts of `window` the sync uses (typed here so the module also checks without the DOM library). */
export interface UrlHost {
  location: { search: string; pathname: string }
  history: { state: unknown; replaceState(data: unknown, unused: string, url: string): void }
}

/**
 * Keeps the URL's query string in step with the stores: read once on start (before the map is
 * created, so a link opens where it points), then rewritten with replaceState on every change.
 * Answers what the link itself held (selection, camera), for where the map opens after sign-in.
 */
export function useUrlSync(host: UrlHost = globalThis as unknown as UrlHost): { link: { selected: string | null; camera: boolean } } {
  const view = useMapViewStore()
  const selection = useSelectionStore()
  const layers = useLayersStore()
  const choropleth = useChoroplethStore()
  const inspection = useInspectionStore()
  const ui = useUiStore()

  const s = decodeView(host.location.search, DEFAULT_VIEW, ALLOWED)
  if (s.camera) {
    view.setView(s.camera.center, s.camera.zoom, s.camera.bearing, s.camera.pitch)
    view.fromLink = true
  }
  view.setTerrain(s.terrain)
  selection.select(s.selected ?? PROVINCE)
  selection.setCompare(s.compare)
  layers.setLayers(s.layers)
  layers.setHouseholdYear(s.households.year)
  for (const k of ['status', 'cause', 'gap'] as const) layers.setHouseholdFilter(k, s.households[k])
  layers.households.colorBy = s.households.colorBy
  layers.households.mode = s.households.mode
  for (const k of ['type', 'stage'] as const) layers.setProjectFilter(k, s.projects[k])
  choropleth.setIndicator(s.choropleth.indicator)
  choropleth.year = s.choropleth.year
  choropleth.method = s.choropleth.method
  choropleth.classes = s.choropleth.classes
  if (s.inspection) {
    inspection.start(s.inspection.index)
    inspection.present(s.inspection.presenting)
  }
  ui.setLocale(s.locale)
  ui.setRenderQuality(s.renderQuality)

  const query = computed(() =>
    encodeView(
      {
        camera: { center: view.center, zoom: view.zoom, bearing: view.bearing, pitch: view.pitch },
        terrain: view.terrain,
        selected: selection.code,
        compare: selection.compareCode,
        layers: layers.visible,
        households: layers.households,
        projects: layers.projects,
        choropleth: { indicator: choropleth.indicator, year: choropleth.year, method: choropleth.method, classes: choropleth.classes },
        inspection: inspection.open ? { index: inspection.index, presenting: inspection.presenting } : null,
        locale: ui.locale,
        renderQuality: ui.renderQuality,
      },
      DEFAULT_VIEW,
    ).toString(),
  )
  let timer: ReturnType<typeof setTimeout> | undefined
  watch(
    query,
    (q) => {
      clearTimeout(timer)
      // Commas are legal in a query string and keep the link readable.
      timer = setTimeout(() => host.history.replaceState(host.history.state, '', `${host.location.pathname}?${q.replace(/%2C/g, ',')}`), 150)
    },
    { immediate: true },
  )
  return { link: { selected: s.selected, camera: s.camera !== null } }
}
