/** The administrative code hierarchy: 2 province, 4 prefecture, 6 county, 9 township, 12 village digits. */
import type { AdminLevel } from '../../../domain/admin-codes.js'

export const PROVINCE = '43'
const LENGTHS: readonly [AdminLevel, number][] = [
  ['province', 2],
  ['prefecture', 4],
  ['county', 6],
  ['township', 9],
  ['village', 12],
]
const CODE = /^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$/

export const isCode = (s: string): boolean => CODE.test(s)

export function levelOf(code: string): AdminLevel {
  const hit = LENGTHS.find(([, n]) => n === code.length)
  if (!hit) throw new Error(`not an administrative code: ${code}`)
  return hit[0]
}

export function childLevelOf(code: string): AdminLevel | null {
  const i = LENGTHS.findIndex(([, n]) => n === code.length)
  return LENGTHS[i + 1]?.[0] ?? null
}

export function parentOf(code: string): string | null {
  const i = LENGTHS.findIndex(([, n]) => n === code.length)
  return i > 0 ? code.slice(0, LENGTHS[i - 1]![1]) : null
}

/** The code and its ancestors, province first. */
export function lineage(code: string): string[] {
  return LENGTHS.filter(([, n]) => n <= code.length).map(([, n]) => code.slice(0, n))
}

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
  const i = LENGTHS.findIndex(([, n]) => n === selected.length)
  const childLength = LENGTHS[i + 1]?.[1]
  const child = codesUnderPointer.find((c) => c.length === childLength && c.startsWith(selected))
  if (child) return child
  if (codesUnderPointer.includes(selected)) return null
  const sibling = codesUnderPointer.find((c) => c.length === selected.length)
  if (sibling) return sibling
  return [...codesUnderPointer].sort((a, b) => b.length - a.length)[0] ?? null
}
