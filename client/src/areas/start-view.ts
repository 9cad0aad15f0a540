import { isCode } from './codes.js'

/**
 * Where the map opens for a user who just signed in. The user's own area (their scope: a 湘西州
 * officer lands on 湘西州, breadcrumb 湖南省 › 湘西州), unless the link already held a view: a link's
 * selection is kept when it lies in the user's area, and a link's camera is never moved.
 * `select`: the area to select (null: keep the link's); `fit`: bring the selection into view.
 */
export function startView(o: { scope: string | null | undefined; linkSelected: string | null; linkCamera: boolean }): { select: string | null; fit: boolean } {
  const scope = o.scope && isCode(o.scope) ? o.scope : null
  const linkInScope = o.linkSelected !== null && (scope === null || o.linkSelected.startsWith(scope))
  if (linkInScope) return { select: null, fit: !o.linkCamera }
  // No selection in the link, or one the user may not see (it would only answer 404s): the user's area.
  return { select: scope, fit: !o.linkCamera || o.linkSelected !== null }
}
