/** The exact solver: HiGHS (WebAssembly) on a CPLEX LP model, loaded once per thread. */
import * as highsModule from 'highs'
import type { Highs } from 'highs'

// The package's types declare an ES default export over a CommonJS build: take whichever the loader gives.
const loadHighs = ((highsModule as unknown as { default?: unknown }).default ?? highsModule) as () => Promise<Highs>
let highs: Promise<Highs> | undefined

/** Solves an LP/MILP; undefined when HiGHS finds no optimum (the caller keeps its heuristic answer). */
export async function solveLp(lp: string): Promise<{ objective: number; columns: Record<string, number> } | undefined> {
  highs ??= loadHighs()
  const h = await highs
  const res = h.solve(lp, { output_flag: false, time_limit: 20 })
  if (res.Status !== 'Optimal') return undefined
  const columns: Record<string, number> = {}
  for (const [name, col] of Object.entries(res.Columns)) columns[name] = (col as { Primal: number }).Primal
  return { objective: res.ObjectiveValue, columns }
}
