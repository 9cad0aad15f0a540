/**
 * Synthetic DEM of Hunan. Hand-placed mountain ranges (Wuling, Xuefeng, Nanling, Luoxiao), hills
 * rising away from Dongting Lake, the lake plain and seeded gradient noise give a smooth target
 * surface; a steady-state stream-power model then erodes a dendritic network of valleys into it,
 * draining to the lake, the floors of the four main rivers (湘江, 资水, 沅江, 澧水, whose beds fall
 * monotonically to the lake) and the grid edge. A final Priority-Flood leaves no depression, so
 * every cell drains along a non-rising path of edge neighbours (water/ traces tributaries on it).
 *
 * Grid: cell-centred, row 0 is the north edge, metres in Int16 (the file format: ../../terrain-format.ts).
 * Also here: the grid algorithms water/ shares (rasterising, flooding, profiles).
 */
export { borderMask, lakeMask, rasterizePolygon, type GridShape } from './grid.js'
export { invasionFlood, priorityFlood } from './flood.js'
export { generateTerrain } from './generate-terrain.js'
export { DEFAULT_CELL_DEG, DONGTING_LAKE, HUNAN_DEM_BOUNDS, LAKE_SURFACE_M, MAIN_RIVERS, type LonLat, type MainRiverSpec } from './hunan.js'
export { profileMaxRise } from './profile.js'
export { mainRiverCourses, riverFloorHalfWidthM, type MainRiverCourse } from './river-courses.js'
export { riverFloors } from './river-valleys.js'
