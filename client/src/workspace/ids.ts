/** The work screens beside the map (their components and roles: workspaces.ts). */
export const WORKSPACE_IDS = ['households', 'reviews', 'identification', 'crosschecks', 'siting', 'reports', 'accounts'] as const
export type WorkspaceId = (typeof WORKSPACE_IDS)[number]
