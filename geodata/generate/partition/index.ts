/**
 * The admin_area rows, province to village: real NBS codes, names and county outlines, synthetic
 * township and village outlines.
 *
 * Townships partition their county outline and villages partition their township. In each parent:
 * density samples (more in the plains, fewer in the mountains, extra round urban seats), seeds spread
 * by Lloyd steps on the Voronoi diagram (d3-delaunay), then weighted so that each unit's cell (a power
 * diagram, i.e. a Voronoi diagram of weighted seeds) holds its share of the density — a township in
 * proportion to its number of villages — and the convex cells clipped to the parent. Neighbouring
 * cells share their vertices and their crossings with the parent boundary, and a final noding pass
 * puts every crossing into the parent's and the neighbours' rings too, so the children cover the
 * parent without gaps or overlaps. Prefectures and the province are dissolves of the real outlines.
 *
 * Deterministic: all randomness comes from the Rng passed in, forked per county and per township, so a
 * county's townships and villages do not depend on which other counties are partitioned in the same run.
 */
export { geometryProblems } from './validity.js'
export { isCommunity, isStreetOffice } from './names.js'
export { partitionAdmin } from './partition-admin.js'
export { POVERTY_COUNTY_CODES } from './poverty-counties.js'
export { readSources, type CountyCollection, type CountyProperties, type DivisionRecord, type PartitionSources, type Reconciliation, type ZoneRecord } from './sources.js'
export { partitionStats, type PartitionStats } from './stats.js'
export type { ElevationFn, ElevationModel } from './surface.js'
