import type { Dataset } from '../generate/types.js'

type Columns<T extends keyof Dataset> = readonly (keyof Dataset[T][number] & string)[]

/** Load order (parents first) and the columns written for each table; the compiler checks names against the row types. */
export const TABLE_COLUMNS: { [T in keyof Dataset]: Columns<T> } = {
  admin_area: ['code', 'level', 'name', 'parent_code', 'geom', 'seat', 'poverty_designated', 'rural_population', 'geom_synthetic'],
  indicator_def: ['code', 'name_zh', 'name_en', 'unit', 'direction', 'category', 'description'],
  indicator_value: ['area_code', 'indicator_code', 'year', 'value'],
  road: ['id', 'class', 'name', 'source_node', 'target_node', 'length_m', 'geom'],
  water: ['id', 'kind', 'name', 'stream_order', 'capacity', 'area_code', 'geom'],
  school: ['id', 'level', 'name', 'area_code', 'capacity', 'geom'],
  clinic: ['id', 'level', 'name', 'area_code', 'beds', 'doctors', 'geom'],
  household: [
    'id', 'village_code', 'geom', 'size', 'identification_standard', 'attribute', 'main_cause', 'other_causes', 'phone',
    'registered_year', 'housing_area_m2', 'housing_structure', 'housing_safety', 'relocated', 'water_source',
    'water_difficulty', 'cooking_fuel', 'road_hardened', 'km_to_market', 'land_paddy_mu', 'land_dry_mu', 'land_forest_mu',
  ],
  household_year: ['household_id', 'year', 'status', 'income_per_capita', 'food_clothing_ok', 'education_ok', 'medical_ok', 'housing_ok', 'water_ok'],
  member: [
    'id', 'household_id', 'name', 'sex', 'id_number', 'relation', 'ethnicity', 'birth_year', 'schooling', 'in_school',
    'health', 'labour', 'migrant_months', 'dibao', 'wubao', 'medical_insurance', 'pension',
  ],
  project: [
    'id', 'type', 'name', 'stage', 'year', 'budget_yuan', 'spent_yuan', 'county_code', 'village_code',
    'beneficiary_households', 'beneficiary_villages', 'geom',
  ],
}

export const LOAD_ORDER = Object.keys(TABLE_COLUMNS) as (keyof Dataset)[]
