/** The p-th percentile (nearest rank) of a sample; 0 for an empty one. Shared by the benchmarks. */
export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0
}
