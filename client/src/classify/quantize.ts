/**
 * The classes of a quantize colour scale (deck.gl's default for HexagonLayer colours): the domain
 * [min, max] cut into as many equal intervals as there are colours. Class i holds values from
 * `from` up to `to` (the last one includes max). Used by the legend of the hexagon bins.
 */
export interface QuantizeClass {
  color: string
  from: number
  to: number
}

export function quantizeClasses(domain: readonly [number, number], colors: readonly string[]): QuantizeClass[] {
  const [lo, hi] = domain[0] <= domain[1] ? domain : [domain[1], domain[0]]
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || colors.length === 0) return []
  if (hi === lo) return [{ color: colors.at(-1)!, from: lo, to: hi }]
  const step = (hi - lo) / colors.length
  return colors.map((color, i) => ({ color, from: lo + i * step, to: i === colors.length - 1 ? hi : lo + (i + 1) * step }))
}

/** Smallest, largest and total of the counts drawn (zeros included), null when there are none. */
export function countRange(counts: Iterable<number>): { min: number; max: number; total: number; n: number } | null {
  let min = Infinity
  let max = -Infinity
  let total = 0
  let n = 0
  for (const c of counts) {
    if (!Number.isFinite(c)) continue
    min = Math.min(min, c)
    max = Math.max(max, c)
    total += c
    n++
  }
  return n ? { min, max, total, n } : null
}
