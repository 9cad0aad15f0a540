/** A projects style layer's own filter with the project type and stage filters (empty list = all); null when there is none. */
export function withProjectFilter(base: unknown, type: readonly string[], stage: readonly string[]): unknown {
  const parts: unknown[] = base ? [base] : []
  if (type.length) parts.push(['in', ['get', 'type'], ['literal', [...type]]])
  if (stage.length) parts.push(['in', ['get', 'stage'], ['literal', [...stage]]])
  if (parts.length === 0) return null
  return parts.length === 1 ? parts[0] : ['all', ...parts]
}
