const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * What identifies a clicked household point in API requests: its opaque `ref` (a UUID the tile
 * carries), never the internal numeric id — except from a server whose tiles do not carry the ref
 * yet, where the feature id is all there is. Null when the feature has neither.
 */
export function householdKey(properties: Record<string, unknown> | null | undefined, featureId: string | number | undefined): string | null {
  const ref = properties?.ref
  if (typeof ref === 'string' && UUID.test(ref)) return ref.toLowerCase()
  if (featureId === undefined || featureId === null || featureId === '') return null
  return String(featureId)
}
