import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

export interface SessionUser {
  username: string
  displayName: string
  role: string
  /** Administrative code of the user's area (the area and everything below it). */
  scope: string
  department?: string | null
  /** 'enrol': a second factor must be set up before the data can be used. */
  factor?: 'ok' | 'enrol'
  can?: { data: boolean; households: boolean; reveal: boolean; audit: boolean; users: boolean }
}

/** Who is signed in (issue 6 sessions); the cookie itself is HttpOnly and never seen here. */
export const useSessionStore = defineStore('session', () => {
  const state = ref<'idle' | 'loading' | 'error' | 'done'>('idle')
  const user = ref<SessionUser | null>(null)
  const csrfToken = ref<string | null>(null)
  /** Signed in, but the role needs a second factor that is not set up yet: no data until it is. */
  const needsEnrolment = computed(() => user.value?.factor === 'enrol')
  /** Signed in with everything the data routes ask for. */
  const ready = computed(() => !!user.value && user.value.factor !== 'enrol')
  /**
   * What the signed-in user works with: the map (its data routes), the audit log (auditors, whose
   * role reads nothing else), or neither. A user without `can` (older server) gets the map.
   */
  const screen = computed<'map' | 'audit' | 'none' | null>(() => {
    if (!ready.value) return null
    const can = user.value!.can
    if (!can || can.data) return 'map'
    return can.audit ? 'audit' : 'none'
  })
  function set(u: SessionUser | null, token: string | null) {
    user.value = u
    csrfToken.value = token
    state.value = 'done'
  }
  return { state, user, csrfToken, needsEnrolment, ready, screen, set }
})
