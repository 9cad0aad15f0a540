/** Messages between generateInWorker (the calling thread) and the generation worker. */
import type { TerrainGrid } from '../../terrain-format.js'
import type { GeneratedTables } from '../index.js'
import type { GenerationStep } from '../steps.js'
import type { Dataset, GenerateOptions } from '../types.js'

export type GenerateRequest = GenerateOptions

/** Rows go over in chunks: each message is cheap to receive, so the receiving thread stays responsive. */
export const ROWS_PER_MESSAGE = 20_000

export type GenerateReply =
  | { type: 'progress'; fraction: number; step: GenerationStep }
  | { type: 'rows'; table: keyof Dataset; rows: Dataset[keyof Dataset] }
  | { type: 'done'; meta: Omit<GeneratedTables, keyof Dataset | 'terrain'>; terrain: TerrainGrid }
  | { type: 'error'; message: string; stack?: string }

/** Every table, empty (a record, so that the compiler insists on each table of Dataset). */
export function emptyTables(): Dataset {
  return {
    admin_area: [],
    indicator_def: [],
    indicator_value: [],
    road: [],
    water: [],
    school: [],
    clinic: [],
    household: [],
    household_year: [],
    member: [],
    project: [],
  }
}
