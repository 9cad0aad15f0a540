import { watch, type ShallowRef } from 'vue'
import type { Map as MaplibreMap } from 'maplibre-gl'
import { api } from '../api/endpoints.js'
import { PROVINCE } from '../areas/codes.js'
import { startView } from '../areas/start-view.js'
import { useMapViewStore } from '../stores/map-view.js'
import { useSelectionStore } from '../stores/selection.js'
import { useSessionStore } from '../stores/session.js'
import { useNavigation } from './useNavigation.js'

/**
 * Opens the map on the signed-in user's area (see startView) each time a user arrives: the session
 * found on load, a sign-in, a sign-in after signing out. What the first page's link held counts for
 * the first user only. The selection changes at once (before the panels ask for its figures); the
 * map is created on it (its bounds asked for first), or, when the map is there already, moves to it.
 */
export function useStartView(map: ShallowRef<MaplibreMap | null>, link: { selected: string | null; camera: boolean }) {
  const session = useSessionStore()
  const selection = useSelectionStore()
  const view = useMapViewStore()
  const { fitBbox } = useNavigation(map)
  let first = true
  let fitPending = false

  const fitSelection = async (m: MaplibreMap) => {
    fitPending = false
    const code = selection.code
    if (code === PROVINCE) return
    const area = await api.area(code).catch(() => null)
    if (area && map.value === m && selection.code === code) fitBbox(area.bbox, { animate: false })
  }

  /** Before the map exists: its opening bounds, so that it is created on the area (MapView waits for them). */
  const prepareStart = async () => {
    const code = selection.code
    if (code === PROVINCE) return
    view.startBounds = null
    view.starting = true
    try {
      const area = await api.area(code)
      if (!map.value && selection.code === code) {
        view.startBounds = area.bbox
        fitPending = false
      }
    } catch {
      // The map opens on the province and fits the selection once loaded, as without this step.
    } finally {
      view.starting = false
    }
  }

  watch(
    () => (session.screen === 'map' ? `${session.user!.username}|${session.user!.scope}` : null),
    (who) => {
      if (!who) return
      const s = startView({ scope: session.user!.scope, linkSelected: first ? link.selected : null, linkCamera: first && link.camera })
      first = false
      if (s.select) selection.select(s.select)
      fitPending = s.fit
      if (fitPending && map.value) void fitSelection(map.value)
      else if (fitPending) void prepareStart()
    },
    { immediate: true },
  )
  watch(map, (m) => {
    if (m && fitPending) void fitSelection(m)
  })
}
