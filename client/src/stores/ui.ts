import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Locale } from '../url/view-url.js'
import type { RenderQuality } from '../map/render-profile.js'

/** Interface language, which side panels are open, and how the map draws. */
export const useUiStore = defineStore('ui', () => {
  const locale = ref<Locale>('zh-CN')
  const layersOpen = ref(true)
  const diagnosisOpen = ref(true)
  /** Whether this browser renders WebGL in software (null until the map has started). */
  const softwareRendering = ref<boolean | null>(null)
  /** 'auto': a software-rendered map draws at reduced resolution; 'full': always full resolution. */
  const renderQuality = ref<RenderQuality>('auto')
  function setLocale(l: Locale) {
    locale.value = l
  }
  function setRenderQuality(q: RenderQuality) {
    renderQuality.value = q
  }
  return { locale, layersOpen, diagnosisOpen, softwareRendering, renderQuality, setLocale, setRenderQuality }
})
