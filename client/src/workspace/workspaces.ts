import { defineAsyncComponent, type Component } from 'vue'
import { DATA_ROLES, REGISTRY_ROLES, type Role } from '../../../domain/roles.js'
import type { WorkspaceId } from './ids.js'

/**
 * The work screens beside the map, declared once: the title bar shows a button per screen the role may
 * open, and the drawer loads its component only when opened (map users never download the forms).
 * Each capability owns its folder (client/src/<capability>/) and its messages (messages.ts there).
 */
export const WORKSPACES: readonly { id: WorkspaceId; label: string; roles: readonly Role[]; component: () => Promise<{ default: Component }> }[] = [
  { id: 'households', label: 'workspace.households', roles: REGISTRY_ROLES, component: () => import('../registry/RegistryWorkspace.vue') },
  { id: 'reviews', label: 'workspace.reviews', roles: REGISTRY_ROLES, component: () => import('../registry/ReviewWorkspace.vue') },
  { id: 'identification', label: 'workspace.identification', roles: DATA_ROLES, component: () => import('../identification/IdentificationWorkspace.vue') },
  { id: 'crosschecks', label: 'workspace.crosschecks', roles: REGISTRY_ROLES, component: () => import('../crosschecks/CrosschecksWorkspace.vue') },
  { id: 'siting', label: 'workspace.siting', roles: DATA_ROLES, component: () => import('../siting/SitingWorkspace.vue') },
  { id: 'reports', label: 'workspace.reports', roles: DATA_ROLES, component: () => import('../reports/ReportsWorkspace.vue') },
  { id: 'accounts', label: 'workspace.accounts', roles: ['province_admin'] as readonly Role[], component: () => import('../accounts/AccountsWorkspace.vue') },
] as const

export const workspacesFor = (role: string) => WORKSPACES.filter((w) => w.roles.includes(role as Role))

const loaded = new Map<WorkspaceId, Component>()
/** The screen's component, loaded on first use. */
export function workspaceComponent(id: WorkspaceId): Component {
  const known = loaded.get(id)
  if (known) return known
  const c: Component = defineAsyncComponent(WORKSPACES.find((w) => w.id === id)!.component)
  loaded.set(id, c)
  return c
}
