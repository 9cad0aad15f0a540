import { defineStore } from 'pinia'
import { ref } from 'vue'

/** Hunan's centre and a zoom that shows the whole province. */
export const HUNAN_VIEW = { center: [111.7, 27.6] as [number, number], zoom: 6 }

/** The camera as plain state; the MapLibre map itself never enters a store. */
export const useMapViewStore = defineStore('map-view', () => {
  const center = ref<[number, number]>([...HUNAN_VIEW.center])
  const zoom = ref(HUNAN_VIEW.zoom)
  function setView(c: [number, number], z: number) {
    center.value = c
    zoom.value = z
  }
  return { center, zoom, setView }
})
