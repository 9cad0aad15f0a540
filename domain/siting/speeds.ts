/**
 * How fast people move: by road class when driving, slowed on steep grades, and on foot by Tobler's
 * hiking function. Assumptions (the road layer has no surface attribute, so class stands for it):
 * national 60, provincial 50, county 40, township 30, village roads 20 km/h (mountain roads of Xiangxi,
 * mostly single lane); a grade g slows a vehicle by the factor max(0.3, 1 − 4|g|) (10 % → 0.6).
 */

export const ROAD_CLASSES = ['national', 'provincial', 'county', 'township', 'village'] as const
export type RoadClass = (typeof ROAD_CLASSES)[number]

export const DRIVE_KMH: Readonly<Record<RoadClass, number>> = { national: 60, provincial: 50, county: 40, township: 30, village: 20 }

/** Factor on a vehicle's speed on a grade (rise over run, either sign). */
export function gradeFactor(grade: number): number {
  return Math.max(0.3, 1 - 4 * Math.abs(grade))
}

/**
 * Tobler's hiking function: walking speed in km/h on a slope S = dz/dx (signed: uphill positive),
 * 6·e^(−3.5·|S + 0.05|), fastest (6 km/h) slightly downhill, 5.04 km/h on the flat. Off paths
 * Tobler multiplies by 3/5 (OFF_PATH).
 */
export function toblerKmh(slope: number): number {
  return 6 * Math.exp(-3.5 * Math.abs(slope + 0.05))
}

export const OFF_PATH = 0.6

/** Seconds to walk `metres` horizontally while rising `dz` metres (negative: descending), on a path or off it. */
export function walkSeconds(metres: number, dz: number, offPath: boolean): number {
  if (metres <= 0) return 0
  const kmh = toblerKmh(dz / metres) * (offPath ? OFF_PATH : 1)
  return metres / (kmh / 3.6)
}

/** Seconds to drive `metres` of a road of class `cls` with a rise of `dz` metres. */
export function driveSeconds(metres: number, dz: number, cls: RoadClass): number {
  if (metres <= 0) return 0
  return metres / ((DRIVE_KMH[cls] * gradeFactor(dz / metres)) / 3.6)
}
