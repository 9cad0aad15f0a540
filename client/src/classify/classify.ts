/**
 * Classification of choropleth values: quantile, equal interval and natural breaks (Jenks, the
 * Fisher–Jenks optimal partition). Pure functions, no DOM.
 *
 * Breaks are ascending [min, b1, …, max]; class i holds the values in (breaks[i], breaks[i + 1]],
 * the first class also its lower bound. Duplicate breaks are merged, so fewer classes than asked
 * come back when the values do not allow more.
 */
export const CLASS_METHODS = ['jenks', 'quantile', 'equal'] as const
export type ClassMethod = (typeof CLASS_METHODS)[number]
export const MIN_CLASSES = 3
export const MAX_CLASSES = 7

export interface Classification {
  method: ClassMethod
  breaks: number[]
  /** Values per class (nulls are not counted). */
  counts: number[]
  /** Values without data. */
  missing: number
  /** Class index of a value; -1 for null. */
  classOf(value: number | null): number
}

const ascending = (a: number, b: number) => a - b

/**
 * Drops breaks that would make an empty class. The first class may hold the minimum alone, so its
 * upper bound may equal the minimum; every later bound must rise.
 */
function dedupe(breaks: number[]): number[] {
  return breaks.filter((b, i) => i <= 1 || b > breaks[i - 1]!)
}

export function equalIntervalBreaks(values: readonly number[], k: number): number[] {
  if (values.length === 0) return []
  const min = Math.min(...values)
  const max = Math.max(...values)
  if (min === max) return [min]
  const step = (max - min) / k
  return dedupe([min, ...Array.from({ length: k - 1 }, (_, i) => min + step * (i + 1)), max])
}

/** Each class takes about n/k values; its upper bound is the last value it takes. */
export function quantileBreaks(values: readonly number[], k: number): number[] {
  if (values.length === 0) return []
  const sorted = [...values].sort(ascending)
  const n = sorted.length
  if (sorted[0] === sorted[n - 1]) return [sorted[0]!]
  const inner = Array.from({ length: k - 1 }, (_, i) => sorted[Math.max(0, Math.ceil(((i + 1) * n) / k) - 1)]!)
  return dedupe([sorted[0]!, ...inner, sorted[n - 1]!])
}

/**
 * Natural breaks: the partition of the sorted values into k runs with the least total squared
 * deviation from the run means (Fisher's exact dynamic programming, O(k·n²) with prefix sums).
 * Runs only split between distinct values (an optimal partition never needs to split equal ones).
 * Above 2,000 values it works on an evenly spaced sample of the sorted values.
 */
export function jenksBreaks(values: readonly number[], k: number): number[] {
  if (values.length === 0) return []
  let data = [...values].sort(ascending)
  if (data.length > 2000) {
    const step = (data.length - 1) / 1999
    data = Array.from({ length: 2000 }, (_, i) => data[Math.round(i * step)]!)
  }
  const n = data.length
  const classes = Math.min(k, new Set(data).size)
  if (classes <= 1) return [data[0]!]
  // Prefix sums, shifted by the mean for precision.
  const shift = data[Math.floor(n / 2)]!
  const sum = new Float64Array(n + 1)
  const sumSq = new Float64Array(n + 1)
  for (let i = 0; i < n; i++) {
    const v = data[i]! - shift
    sum[i + 1] = sum[i]! + v
    sumSq[i + 1] = sumSq[i]! + v * v
  }
  /** Squared deviation of data[a..b) from its mean. */
  const ssd = (a: number, b: number) => {
    const s = sum[b]! - sum[a]!
    return Math.max(0, sumSq[b]! - sumSq[a]! - (s * s) / (b - a))
  }
  const canSplit = (at: number) => data[at - 1]! < data[at]!
  // best[c][e]: least deviation of data[0..e) in c runs; from[c][e]: where its last run starts.
  const best = Array.from({ length: classes + 1 }, () => new Float64Array(n + 1).fill(Infinity))
  const from = Array.from({ length: classes + 1 }, () => new Int32Array(n + 1))
  for (let e = 1; e <= n; e++) best[1]![e] = ssd(0, e)
  for (let c = 2; c <= classes; c++) {
    for (let e = c; e <= n; e++) {
      let min = Infinity
      let arg = -1
      for (let s = c - 1; s < e; s++) {
        if (!canSplit(s) || best[c - 1]![s] === Infinity) continue
        const cost = best[c - 1]![s]! + ssd(s, e)
        if (cost < min) {
          min = cost
          arg = s
        }
      }
      best[c]![e] = min
      from[c]![e] = arg
    }
  }
  const breaks = [data[n - 1]!]
  let end = n
  for (let c = classes; c >= 2; c--) {
    const start = from[c]![end]!
    breaks.unshift(data[start - 1]!)
    end = start
  }
  breaks.unshift(data[0]!)
  return dedupe(breaks)
}

export function breaksFor(method: ClassMethod, values: readonly number[], k: number): number[] {
  const classes = Math.min(MAX_CLASSES, Math.max(MIN_CLASSES, Math.round(k)))
  if (method === 'quantile') return quantileBreaks(values, classes)
  if (method === 'equal') return equalIntervalBreaks(values, classes)
  return jenksBreaks(values, classes)
}

/** The class index of a value for given breaks; -1 for null. */
export function classifyWith(breaks: readonly number[]): (v: number | null) => number {
  return (v) => {
    if (v === null || !Number.isFinite(v) || breaks.length === 0) return -1
    if (breaks.length === 1) return 0
    for (let i = 1; i < breaks.length - 1; i++) if (v <= breaks[i]!) return i - 1
    return breaks.length - 2
  }
}

/** Classifies values (nulls allowed) and counts each class. */
export function classify(values: readonly (number | null)[], method: ClassMethod, k: number): Classification {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v))
  const breaks = breaksFor(method, present, k)
  const classOf = classifyWith(breaks)
  const counts = new Array<number>(breaks.length === 1 ? 1 : Math.max(0, breaks.length - 1)).fill(0)
  for (const v of present) counts[classOf(v)]!++
  return { method, breaks, counts, missing: values.length - present.length, classOf }
}

/** Total squared deviation of the values from their class means: what natural breaks minimise. */
export function withinClassDeviation(values: readonly number[], breaks: readonly number[]): number {
  const classOf = classifyWith(breaks)
  const groups = new Map<number, number[]>()
  for (const v of values) {
    const k = classOf(v)
    const g = groups.get(k)
    if (g) g.push(v)
    else groups.set(k, [v])
  }
  let total = 0
  for (const g of groups.values()) {
    const mean = g.reduce((s, v) => s + v, 0) / g.length
    total += g.reduce((s, v) => s + (v - mean) ** 2, 0)
  }
  return total
}
