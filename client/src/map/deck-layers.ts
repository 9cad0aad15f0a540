import type { Map as MaplibreMap } from 'maplibre-gl'
import type { Layer } from '@deck.gl/core'
import type { MapboxOverlay } from '@deck.gl/mapbox'

/**
 * The one deck.gl overlay of the map (interleaved with MapLibre's layers), added once on first
 * use. Callers put immutable layer descriptors by id; every change re-sends the whole list.
 * deck.gl is loaded on demand so the base map does not wait for it.
 */
export interface DeckLayers {
  set(id: string, layer: Layer | null): void
  dispose(): void
}

/**
 * @deck.gl/mapbox 9.4 reads the private `map.transform` (viewport height, near/far planes, terrain
 * elevation), which MapLibre 6 moved to the map's camera. Until @deck.gl/maplibre (which uses public
 * APIs) is installed, the map gets a read-only alias for it.
 */
function aliasTransform(map: MaplibreMap): void {
  if ('transform' in map) return
  const camera = (map as unknown as { _camera?: { transform: unknown } })._camera
  if (camera) Object.defineProperty(map, 'transform', { get: () => camera.transform, configurable: true })
}

export function createDeckLayers(map: MaplibreMap): DeckLayers {
  const layers = new Map<string, Layer>()
  let overlay: MapboxOverlay | null = null
  let loading: Promise<void> | null = null
  let disposed = false
  const push = () => overlay?.setProps({ layers: [...layers.values()] })
  const ensure = () => {
    loading ??= import('@deck.gl/mapbox').then(({ MapboxOverlay }) => {
      if (disposed) return
      aliasTransform(map)
      overlay = new MapboxOverlay({ interleaved: true, layers: [...layers.values()] })
      map.addControl(overlay)
    })
    return loading
  }
  return {
    set(id, layer) {
      if (layer) layers.set(id, layer)
      else if (!layers.delete(id)) return
      if (overlay) push()
      else if (layers.size > 0) void ensure().then(push)
    },
    dispose() {
      disposed = true
      layers.clear()
      if (overlay) map.removeControl(overlay)
      overlay = null
    },
  }
}
