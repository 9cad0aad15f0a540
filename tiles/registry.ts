import type { LayerDef } from './layer-def.js'
import admin from './layers/admin/layer.js'
import villages from './layers/villages/layer.js'
import roads from './layers/roads/layer.js'
import water from './layers/water/layer.js'
import schools from './layers/schools/layer.js'
import clinics from './layers/clinics/layer.js'
import households from './layers/households/layer.js'
import projects from './layers/projects/layer.js'
import quality from './layers/quality/layer.js'

/** Every tile layer, in drawing order (bottom first). The allow-list for /tiles/{layer}. */
export const LAYERS: readonly LayerDef[] = [villages, quality, water, admin, roads, projects, schools, clinics, households]

export const LAYER_BY_ID: ReadonlyMap<string, LayerDef> = new Map(LAYERS.map((l) => [l.id, l]))

/** The combined base tile's layers. */
export const BASE_LAYERS = LAYERS.filter((l) => l.inBase)

/** Layers whose tiles are the same for every caller (LayerDef.scopeFree). */
export const SCOPE_FREE_LAYERS: ReadonlySet<string> = new Set(LAYERS.filter((l) => l.scopeFree).map((l) => l.id))

/**
 * The SQL functions of tiles, as paths below tiles/, in the order they are applied: those every layer's
 * encoding may use, then each layer's own (LayerDef.functions).
 */
export const SQL_FUNCTION_FILES: readonly string[] = ['functions/tile_geom.sql', ...LAYERS.flatMap((l) => (l.functions ?? []).map((f) => `layers/${l.id}/${f}`))]
