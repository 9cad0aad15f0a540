import { defineStore } from 'pinia'
import { ref } from 'vue'
import { isCode, PROVINCE } from '../areas/codes.js'

/** The selected area (the breadcrumb's last step, the diagnosis panel's subject) and a second one to compare with. */
export const useSelectionStore = defineStore('selection', () => {
  const code = ref(PROVINCE)
  const compareCode = ref<string | null>(null)
  function select(c: string) {
    if (!isCode(c)) throw new Error(`not an administrative code: ${c}`)
    code.value = c
    if (compareCode.value === c) compareCode.value = null
  }
  function setCompare(c: string | null) {
    if (c !== null && !isCode(c)) throw new Error(`not an administrative code: ${c}`)
    compareCode.value = c === code.value ? null : c
  }
  /** Back to the province, nothing compared (the session ended). */
  function reset() {
    code.value = PROVINCE
    compareCode.value = null
  }
  return { code, compareCode, select, setCompare, reset }
})
