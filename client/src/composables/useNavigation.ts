import type { ShallowRef } from 'vue'
import type { LngLatBoundsLike, Map as MaplibreMap } from 'maplibre-gl'
import { api } from '../api/endpoints.js'
import { useMap } from '../map/map-context.js'
import { useSelectionStore } from '../stores/selection.js'

/** The closest a fitted area is shown (a village fills the view without going down to single buildings). */
export const START_MAX_ZOOM = 14.5

/** Camera padding that keeps the fitted area clear of the side panels, with the area's centre at the map's centre. */
export function fitPadding(width: number, height: number) {
  const side = Math.min(470, Math.round(width * 0.33))
  const vertical = Math.min(90, Math.round(height * 0.1))
  return { top: vertical, bottom: vertical, left: side, right: side }
}

/**
 * Selecting an area and bringing it into view: search, breadcrumb, map clicks and inspection all go
 * through here. The map providing component (App) passes its own ref: inject() does not see its own provides.
 */
export function useNavigation(map: ShallowRef<MaplibreMap | null> = useMap()) {
  const selection = useSelectionStore()

  function fitBbox(bbox: [number, number, number, number], opts: { animate?: boolean; maxZoom?: number } = {}) {
    const m = map.value
    if (!m) return
    const c = m.getContainer()
    m.fitBounds(bbox as LngLatBoundsLike, {
      padding: fitPadding(c.clientWidth, c.clientHeight),
      maxZoom: opts.maxZoom ?? START_MAX_ZOOM,
      duration: opts.animate === false ? 0 : 900,
      bearing: m.getBearing(),
      pitch: m.getPitch(),
    })
  }

  async function goTo(code: string, opts: { fly?: boolean; animate?: boolean } = {}) {
    selection.select(code)
    if (opts.fly === false) return
    const area = await api.area(code)
    if (selection.code === code) fitBbox(area.bbox, { animate: opts.animate })
  }

  return { goTo, fitBbox }
}
