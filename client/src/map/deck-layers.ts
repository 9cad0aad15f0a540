import type { Map as MaplibreMap } from 'maplibre-gl'
import type { Layer } from '@deck.gl/core'
import type { MapLibreOverlay } from '@deck.gl/maplibre'

/**
 * The one deck.gl overlay of the map (interleaved with MapLibre's layers), added once on first
 * use. Callers put immutable layer descriptors by id; every change re-sends the whole list.
 * deck.gl is loaded on demand so the base map does not wait for it. @deck.gl/maplibre follows the
 * camera through MapLibre's public API (no private `map.transform`).
 */
export interface DeckLayers {
  set(id: string, layer: Layer | null): void
  dispose(): void
}

export function createDeckLayers(map: MaplibreMap): DeckLayers {
  const layers = new Map<string, Layer>()
  let overlay: MapLibreOverlay | null = null
  let loading: Promise<void> | null = null
  let disposed = false
  const push = () => overlay?.setProps({ layers: [...layers.values()] })
  const ensure = () => {
    loading ??= import('@deck.gl/maplibre').then(({ MapLibreOverlay }) => {
      if (disposed) return
      overlay = new MapLibreOverlay({ interleaved: true, layers: [...layers.values()] })
      map.addControl(overlay)
    })
    return loading
  }
  return {
    set(id, layer) {
      if (disposed) return
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
