import { watch, type ShallowRef } from 'vue'
import type { Map as MaplibreMap } from 'maplibre-gl'
import { api } from '../api/endpoints.js'
import { PROVINCE } from '../areas/codes.js'
import { startView } from '../areas/start-view.js'
import { useSelectionStore } from '../stores/selection.js'
import { useSessionStore } from '../stores/session.js'
import { useNavigation } from './useNavigation.js'

/**
 * Opens the map on the signed-in user's area (see startView) each time a user arrives: the session
 * found on load, a sign-in, a sign-in after signing out. What the first page's link held counts for
 * the first user only. The selection changes at once (before the panels ask for its figures); the
 * camera follows when the map has loaded.
 */
export function useStartView(map: ShallowRef<MaplibreMap | null>, link: { selected: string | null; camera: boolean }) {
  const session = useSessionStore()
  const selection = useSelectionStore()
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

  watch(
    () => (session.ready ? `${session.user!.username}|${session.user!.scope}` : null),
    (who) => {
      if (!who) return
      const s = startView({ scope: session.user!.scope, linkSelected: first ? link.selected : null, linkCamera: first && link.camera })
      first = false
      if (s.select) selection.select(s.select)
      fitPending = s.fit
      if (fitPending && map.value) void fitSelection(map.value)
    },
    { immediate: true },
  )
  watch(map, (m) => {
    if (m && fitPending) void fitSelection(m)
  })
}
