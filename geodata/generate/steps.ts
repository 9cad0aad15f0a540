/**
 * The generators in the order generateDataset runs them, each weighted by its rough share of the
 * generation time, so that a progress bar over the weights moves at an even pace.
 */
export const GENERATION_STEPS = [
  { step: 'terrain', weight: 13 },
  { step: 'water', weight: 5 },
  { step: 'partition', weight: 35 },
  { step: 'roads', weight: 4 },
  { step: 'facilities', weight: 1 },
  { step: 'environment', weight: 15 },
  { step: 'households', weight: 24 },
  { step: 'projects', weight: 1 },
  { step: 'indicators', weight: 2 },
] as const

export type GenerationStep = (typeof GENERATION_STEPS)[number]['step']

/** Called as generation moves on: the share done of the whole (0–1) and the step under way. */
export type GenerationProgress = (fraction: number, step: GenerationStep) => void

const TOTAL_WEIGHT = GENERATION_STEPS.reduce((s, x) => s + x.weight, 0)

/** Runs the steps with progress reports: at each step's start, as it reports its own share done, at the end. */
export class StepProgress {
  constructor(private readonly report?: GenerationProgress) {}

  run<T>(step: GenerationStep, fn: (within: (done: number, total: number) => void) => T): T {
    const index = GENERATION_STEPS.findIndex((s) => s.step === step)
    const before = GENERATION_STEPS.slice(0, index).reduce((s, x) => s + x.weight, 0)
    const weight = GENERATION_STEPS[index]!.weight
    const at = (share: number) => this.report?.((before + weight * Math.min(1, share)) / TOTAL_WEIGHT, step)
    at(0)
    const result = fn((done, total) => at(total > 0 ? done / total : 1))
    at(1)
    return result
  }
}
