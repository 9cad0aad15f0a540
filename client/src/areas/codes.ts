/** The administrative code rules as the map uses them (the rules themselves: domain/admin-codes.ts). */
import { childCodeLength, childLevelOf, isAdminCode, parentOf, PROVINCE_CODE } from '../../../domain/admin-codes.js'

export { childLevelOf, lineage, parentOf } from '../../../domain/admin-codes.js'
export const PROVINCE = PROVINCE_CODE
export const isCode = isAdminCode

/**
 * The area whose children the map compares (choropleth, inspection): the selection itself, or its
 * parent when the selection is a village (which has none).
 */
export function comparisonParent(code: string): string {
  return childLevelOf(code) ? code : (parentOf(code) ?? code)
}

/**
 * The area a map click means, from the codes of the areas under the pointer: a child of the
 * selection (drill down); nothing when the pointer is on the selection itself but on no child;
 * else an area of the selection's own level (move sideways); else the most detailed area there.
 */
export function pickArea(codesUnderPointer: readonly string[], selected: string): string | null {
  const childLength = childCodeLength(selected)
  const child = codesUnderPointer.find((c) => c.length === childLength && c.startsWith(selected))
  if (child) return child
  if (codesUnderPointer.includes(selected)) return null
  const sibling = codesUnderPointer.find((c) => c.length === selected.length)
  if (sibling) return sibling
  return [...codesUnderPointer].sort((a, b) => b.length - a.length)[0] ?? null
}
