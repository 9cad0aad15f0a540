import { inject, provide, shallowRef, type InjectionKey, type ShallowRef } from 'vue'
import type { Map as MaplibreMap } from 'maplibre-gl'
import type { DeckLayers } from './deck-layers.js'

/**
 * The MapLibre map, shared by a typed injection key: App provides an empty shallowRef, MapView
 * fills it (markRaw) once the style has loaded. Never reactive inside, never in a store.
 */
export const MAP_KEY: InjectionKey<ShallowRef<MaplibreMap | null>> = Symbol('povmap-map')
export const DECK_KEY: InjectionKey<DeckLayers> = Symbol('povmap-deck')

export function provideMap(): ShallowRef<MaplibreMap | null> {
  const map = shallowRef<MaplibreMap | null>(null)
  provide(MAP_KEY, map)
  return map
}

export function useMap(): ShallowRef<MaplibreMap | null> {
  const map = inject(MAP_KEY)
  if (!map) throw new Error('useMap() outside the map provider (App.vue)')
  return map
}

/** In components rendered only after the map loaded (MapView's slot). */
export function useLoadedMap(): MaplibreMap {
  const map = useMap().value
  if (!map) throw new Error('the map is not loaded yet')
  return map
}

export function useDeck(): DeckLayers {
  const deck = inject(DECK_KEY)
  if (!deck) throw new Error('useDeck() outside MapView')
  return deck
}
