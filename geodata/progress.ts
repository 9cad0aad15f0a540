/**
 * Progress of a long task (generating, loading), as geodata reports it. The caller decides how it is
 * shown: server/progress.ts draws terminal bars that satisfy this; the default shows nothing.
 */
import type { GenerationProgress } from './generate/steps.js'

export interface Progress {
  /** `done` steps of the task's total, with what is being done now. */
  update(done: number, label?: string): void
  stop(): void
}

/** Opens the display of a task of `total` steps. */
export type ProgressFactory = (title: string, total: number) => Progress

export const noProgress: ProgressFactory = () => ({ update() {}, stop() {} })

/** Generation is shown in percent, labelled with the step under way. */
export const GENERATION_BAR_TOTAL = 100

export function generationOnBar(bar: Progress): GenerationProgress {
  return (fraction, step) => bar.update(Math.round(fraction * GENERATION_BAR_TOTAL), step)
}
