import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { WorkspaceId } from '../workspace/ids.js'

/**
 * Which work screen is open beside the map (registry, reviews, accounts, identification, siting,
 * reports) and what it was opened with (e.g. a household ref or a request id). The map stays.
 */
export const useWorkspaceStore = defineStore('workspace', () => {
  const active = ref<WorkspaceId | null>(null)
  /** What the screen shows first, e.g. { ref } for a household page or { request } for a review. */
  const params = ref<Record<string, string>>({})
  function open(id: WorkspaceId, p: Record<string, string> = {}) {
    active.value = id
    params.value = p
  }
  function close() {
    active.value = null
    params.value = {}
  }
  return { active, params, open, close }
})
