import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Health } from '../../../domain/schemas/health.js'

export const useServerStatusStore = defineStore('server-status', () => {
  const state = ref<'idle' | 'loading' | 'error' | 'done'>('idle')
  const health = ref<Health | null>(null)
  const error = ref<string | null>(null)
  async function refresh() {
    state.value = 'loading'
    try {
      const res = await fetch('/api/health')
      health.value = (await res.json()) as Health
      state.value = res.ok ? 'done' : 'error'
      error.value = res.ok ? null : '数据库不可用'
    } catch (e) {
      state.value = 'error'
      error.value = (e as Error).message
    }
  }
  return { state, health, error, refresh }
})
