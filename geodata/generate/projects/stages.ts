/** Where a project stands at the end of 2020, and what of its budget was spent. */
import type { Rng } from '../rng.js'
import type { ProjectRow } from '../types.js'

type Stage = ProjectRow['stage']

/** Stage of a project begun in `year` as of the end of 2020. */
export function stageFor(year: number, rng: Rng): Stage {
  if (year <= 2016) return rng.weighted(['evaluated', 'completed'] as const, [70, 30])
  if (year === 2017) return rng.weighted(['evaluated', 'completed'] as const, [50, 50])
  if (year === 2018) return rng.weighted(['evaluated', 'completed', 'construction'] as const, [25, 68, 7])
  if (year === 2019) return rng.weighted(['evaluated', 'completed', 'construction', 'approved'] as const, [5, 60, 30, 5])
  return rng.weighted(['completed', 'construction', 'approved', 'plan'] as const, [30, 40, 20, 10])
}

/** Built infrastructure the indicators count from `year` on. */
export function builtStage(year: number, rng: Rng): Stage {
  return year <= 2018 && rng.chance(year <= 2016 ? 0.7 : 0.4) ? 'evaluated' : 'completed'
}

export function spentFor(stage: Stage, budget: number, rng: Rng): number {
  const f =
    stage === 'plan'
      ? 0
      : stage === 'approved'
        ? rng.range(0, 0.1)
        : stage === 'construction'
          ? rng.range(0.2, 0.9)
          : stage === 'completed'
            ? rng.chance(0.03) ? rng.range(1, 1.06) : rng.range(0.95, 1)
            : rng.chance(0.02) ? rng.range(1, 1.04) : rng.range(0.97, 1)
  return Math.round(budget * f)
}
