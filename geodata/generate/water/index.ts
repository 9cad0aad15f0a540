/**
 * Surface water on the synthetic DEM: the four main rivers as terrain/ carved them, Dongting
 * Lake, tributaries traced downhill on the DEM, and reservoirs in mountain valleys (six real ones
 * at their approximate places, a few synthetic). Drinking-water supply works are another
 * generator's job.
 *
 * Tributaries follow the flow of the terrain: water is routed over edge neighbours by Priority-Flood
 * from the lake, the main river floors and the grid edge, which on the depression-free DEM is
 * steepest descent; streams start where the drainage area reaches CHANNEL_AREA_KM2 and end where
 * they meet a bigger stream, a main river or the lake. Their lines are simplified only where the
 * shortcut never climbs, so elevation along every line is non-increasing downstream (checked).
 */
export { generateWater, type GeneratedWater } from './generate-water.js'
export { REAL_RESERVOIRS, type ReservoirSpec } from './reservoirs.js'
