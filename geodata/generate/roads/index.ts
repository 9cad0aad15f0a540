/**
 * Synthetic road network: a noded, routable graph whose nodes are the seats of every division.
 *
 * - Backbone: the Gabriel graph (a planar subgraph of the Delaunay triangulation that contains the
 *   minimum spanning tree) over the seats of the province, prefectures, counties and townships,
 *   without edges longer than 30 km unless they are needed for connectivity. Its edges are classed by
 *   what they carry: shortest paths between neighbouring prefecture seats → national roads, between
 *   neighbouring county seats → provincial, from a county seat to its township seats → county, the
 *   rest (township seat ↔ neighbouring township seat) → township roads.
 * - Village roads from every village seat to its township seat. Some villages on steep, remote
 *   ground had no hardened (paved) road when the registry began in 2014; `villageHardenedYear`
 *   says when theirs was paved (the road projects of projects.ts follow these roads).
 * - Lines bend toward lower ground: intermediate vertices are offset sideways to where the terrain
 *   is lower, with a penalty for leaving the straight line.
 * - Noding: wherever two roads cross, both are split and share a new node, so every line's
 *   endpoints are graph nodes and the network is one connected graph.
 */
export { buildRoadNetwork, generateRoads } from './build-network.js'
export { localDistances, roadGraph, shortestDistances, type Graph } from './graph.js'
export { isHardened, PAVED_BEFORE_REGISTRY, villagesWithoutHardenedRoad, type RoadClass, type RoadNetwork } from './network.js'
