import { onScopeDispose, watch, type Ref } from 'vue'
import type { MapMouseEvent } from 'maplibre-gl'
import { useMap } from '../map/map-context.js'
import { useRegistryStore } from './registry-store.js'

/**
 * The map-click mode of the registry screen: while the store is `placing` (a new household, or a move),
 * the next click on the map gives the place. The work screen lies over the map's right part, so it is
 * faded and lets clicks through meanwhile; Esc cancels.
 */
export function useMapPick(root: Ref<HTMLElement | null>) {
  const map = useMap()
  const store = useRegistryStore()
  const onClick = (e: MapMouseEvent) => store.pick([e.lngLat.lng, e.lngLat.lat])
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') store.stopPlacing()
  }
  let armed: { off: () => void } | null = null
  const disarm = () => {
    armed?.off()
    armed = null
  }
  watch(
    [() => store.placing, map],
    ([placing, m]) => {
      disarm()
      const drawer = root.value?.closest('.workspace-drawer')
      drawer?.classList.toggle('registry-placing', !!placing)
      if (!placing || !m) return
      m.getCanvas().style.cursor = 'crosshair'
      m.once('click', onClick)
      window.addEventListener('keydown', onKey)
      armed = {
        off: () => {
          m.off('click', onClick)
          m.getCanvas().style.cursor = ''
          window.removeEventListener('keydown', onKey)
        },
      }
    },
    { flush: 'post' },
  )
  onScopeDispose(() => {
    disarm()
    root.value?.closest('.workspace-drawer')?.classList.remove('registry-placing')
    store.stopPlacing()
  })
}
