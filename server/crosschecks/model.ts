import { RandomForestClassifier } from 'ml-random-forest'

/** One household-year of the registry as the model sees it. */
export interface ModelRow {
  id: number
  /** Registered poor in the year (status poor or returned). */
  poor: boolean
  features: number[]
}

export const MODEL_FEATURES = [
  'incomeRatio', 'foodClothingOk', 'educationOk', 'medicalOk', 'housingOk', 'waterOk',
  'size', 'labourShare', 'ill', 'disabled', 'housingUnsafe', 'kmToMarket', 'assistance',
] as const

export interface ModelReport {
  method: string
  features: readonly string[]
  trainSize: number
  testSize: number
  /** Poor households among the held-out ones. */
  testPositives: number
  precision: number | null
  recall: number | null
  accuracy: number | null
}

/** Held out for evaluation: a fixed quarter of households, by a hash of the id (the same split on every run). */
export function isHeldOut(id: number): boolean {
  let h = (id % 2147483647) ^ Math.floor(id / 2147483648)
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b)
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b)
  return ((h ^ (h >>> 16)) >>> 0) % 4 === 0
}

/** Training rows at most (a county's registry trains in about a second on one core). */
const MAX_TRAIN = 1000

/**
 * A random forest (ml-random-forest) trained on the registry's own labels (poor or not in the year) on three
 * quarters of the households, evaluated on the held-out quarter: precision and recall of "poor" there. Answers
 * the report and each row's probability of being poor (mean vote of the trees), or null with fewer than 20
 * training rows of each class.
 */
export function trainAndEvaluate(rows: readonly ModelRow[]): { report: ModelReport; poorProbability: Map<number, number> | null } {
  const train = rows.filter((r) => !isHeldOut(r.id))
  const test = rows.filter((r) => isHeldOut(r.id))
  const sample = train.length > MAX_TRAIN ? train.filter((_, i) => i % Math.ceil(train.length / MAX_TRAIN) === 0) : train
  const base: ModelReport = { method: 'random forest (ml-random-forest, 10 trees, depth ≤ 6)', features: MODEL_FEATURES, trainSize: sample.length, testSize: test.length, testPositives: test.filter((r) => r.poor).length, precision: null, recall: null, accuracy: null }
  const positives = sample.filter((r) => r.poor).length
  if (positives < 20 || sample.length - positives < 20 || test.length === 0) return { report: base, poorProbability: null }
  // Features drawn without replacement for each tree: with replacement about half the trees never saw the income ratio.
  const rf = new RandomForestClassifier({ nEstimators: 10, maxFeatures: 0.8, seed: 17, noOOB: true, useSampleBagging: true, replacement: false, treeOptions: { maxDepth: 6 } })
  rf.train(sample.map((r) => r.features), sample.map((r) => (r.poor ? 1 : 0)))
  const votes = rf.predictionValues(rows.map((r) => r.features))
  const poorProbability = new Map<number, number>()
  rows.forEach((r, i) => {
    const v = votes.getRow(i)
    poorProbability.set(r.id, v.reduce((s, x) => s + x, 0) / v.length)
  })
  let tp = 0
  let fp = 0
  let fn = 0
  let right = 0
  for (const r of test) {
    const predicted = poorProbability.get(r.id)! >= 0.5
    if (predicted && r.poor) tp++
    else if (predicted) fp++
    else if (r.poor) fn++
    if (predicted === r.poor) right++
  }
  return {
    report: { ...base, precision: tp + fp > 0 ? tp / (tp + fp) : null, recall: tp + fn > 0 ? tp / (tp + fn) : null, accuracy: right / test.length },
    poorProbability,
  }
}
