import { defineStore } from 'pinia'
import { ref } from 'vue'

/** The inspection view: open or not, the step through the ranked areas, full-screen presentation. */
export const useInspectionStore = defineStore('inspection', () => {
  const open = ref(false)
  const index = ref(0)
  const presenting = ref(false)
  function start(at = 0) {
    open.value = true
    index.value = Math.max(0, at)
  }
  function close() {
    open.value = false
    presenting.value = false
  }
  function step(delta: number, count: number) {
    if (count <= 0) return
    index.value = (((index.value + delta) % count) + count) % count
  }
  function present(on: boolean) {
    presenting.value = on
    if (on) open.value = true
  }
  function reset() {
    close()
    index.value = 0
  }
  return { open, index, presenting, start, close, step, present, reset }
})
