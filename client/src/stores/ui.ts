import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Locale } from '../url/view-url.js'

/** Interface language and which side panels are open. */
export const useUiStore = defineStore('ui', () => {
  const locale = ref<Locale>('zh-CN')
  const layersOpen = ref(true)
  const diagnosisOpen = ref(true)
  function setLocale(l: Locale) {
    locale.value = l
  }
  return { locale, layersOpen, diagnosisOpen, setLocale }
})
