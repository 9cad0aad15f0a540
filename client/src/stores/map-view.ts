import { defineStore } from 'pinia'
import { ref } from 'vue'

/** Hunan's centre and a zoom that shows the whole province. */
export const HUNAN_VIEW = { center: [111.7, 27.6] as [number, number], zoom: 6 }

/** The camera and 3D terrain switch as plain state; the MapLibre map itself never enters a store. */
export const useMapViewStore = defineStore('map-view', () => {
  const center = ref<[number, number]>([...HUNAN_VIEW.center])
  const zoom = ref(HUNAN_VIEW.zoom)
  const bearing = ref(0)
  const pitch = ref(0)
  /** The camera came from a link (or the user moved): do not fit the selection on start. */
  const fromLink = ref(false)
  const terrain = ref(false)
  /**
   * Where the map opens when it opens on an area (west, south, east, north): the map waits while
   * `starting`, then is created fitted to these bounds, so that it never loads the province's tiles
   * only to leave them at once.
   */
  const startBounds = ref<[number, number, number, number] | null>(null)
  const starting = ref(false)
  function setView(c: [number, number], z: number, b = bearing.value, p = pitch.value) {
    center.value = c
    zoom.value = z
    bearing.value = b
    pitch.value = p
  }
  function setTerrain(on: boolean) {
    terrain.value = on
  }
  /** The whole province, flat, no terrain (the session ended). */
  function reset() {
    setView([...HUNAN_VIEW.center], HUNAN_VIEW.zoom, 0, 0)
    fromLink.value = false
    terrain.value = false
    startBounds.value = null
    starting.value = false
  }
  return { center, zoom, bearing, pitch, fromLink, terrain, startBounds, starting, setView, setTerrain, reset }
})
