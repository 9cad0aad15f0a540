/**
 * What the generator produces and the loader writes. Row fields are the table columns of
 * migrations/0002_create_geodata_tables.sql (snake_case); geometries are GeoJSON in WGS84 (EPSG:4326),
 * coordinates rounded to 6 decimals.
 */
import type { LineString, MultiLineString, MultiPolygon, Point, Polygon } from 'geojson'
import type { AdminLevel } from '../../domain/admin-codes.js'

export type Scale = 'demo' | 'province'

export interface GenerateOptions {
  scale: Scale
  seed: number
}

/** The DEM: its type and file format are shared with the tile server. */
export type { Terrain } from '../terrain-format.js'

export interface AdminAreaRow {
  code: string
  level: AdminLevel
  name: string
  parent_code: string | null
  geom: MultiPolygon | null
  seat: Point | null
  poverty_designated: boolean
  rural_population: number | null
  geom_synthetic: boolean
}

export interface IndicatorDefRow {
  code: string
  name_zh: string
  name_en: string
  unit: string
  direction: 'higher_better' | 'lower_better'
  category: string
  description: string | null
}

export interface IndicatorValueRow {
  area_code: string
  indicator_code: string
  year: number
  value: number
}

export interface RoadRow {
  id: number
  class: 'national' | 'provincial' | 'county' | 'township' | 'village'
  name: string | null
  source_node: number
  target_node: number
  length_m: number
  geom: LineString
}

export interface WaterRow {
  id: number
  kind: 'river' | 'lake' | 'reservoir' | 'supply_works'
  name: string | null
  stream_order: number | null
  /** m³/day for supply works, 10⁴ m³ storage for reservoirs, null otherwise. */
  capacity: number | null
  area_code: string | null
  geom: LineString | MultiLineString | MultiPolygon | Polygon | Point
}

export interface SchoolRow {
  id: number
  level: 'county_middle' | 'township_central' | 'village_primary'
  name: string
  area_code: string
  capacity: number
  geom: Point
}

export interface ClinicRow {
  id: number
  level: 'county_hospital' | 'township_health_centre' | 'village_clinic'
  name: string
  area_code: string
  beds: number
  doctors: number
  geom: Point
}

export interface HouseholdRow {
  /** Non-sequential internal id (household-ids.ts), the tile feature id; URLs use household.ref. */
  id: number
  village_code: string
  geom: Point
  size: number
  identification_standard: 'national' | 'provincial'
  attribute: 'general' | 'dibao' | 'wubao' | 'dibao_poor'
  main_cause: string
  other_causes: string[]
  phone: string | null
  registered_year: number
  housing_area_m2: number | null
  housing_structure: 'reinforced_concrete' | 'brick_concrete' | 'brick_wood' | 'earth_bamboo' | 'other' | null
  housing_safety: 'A' | 'B' | 'C' | 'D' | null
  relocated: boolean
  water_source: 'tap' | 'protected_well' | 'unprotected_well' | 'river_lake' | 'rainwater' | 'bottled' | null
  water_difficulty: boolean
  cooking_fuel: string | null
  road_hardened: boolean
  km_to_market: number | null
  land_paddy_mu: number | null
  land_dry_mu: number | null
  land_forest_mu: number | null
}

export interface HouseholdYearRow {
  household_id: number
  year: number
  status: 'poor' | 'lifted' | 'returned'
  income_per_capita: number
  food_clothing_ok: boolean
  education_ok: boolean
  medical_ok: boolean
  housing_ok: boolean
  water_ok: boolean
}

export interface MemberRow {
  id: number
  household_id: number
  name: string
  sex: 'M' | 'F'
  id_number: string
  relation: string
  ethnicity: string
  birth_year: number
  schooling: string
  in_school: string | null
  health: 'healthy' | 'chronic' | 'serious' | 'disabled'
  labour: 'ordinary' | 'skilled' | 'lost' | 'none'
  migrant_months: number
  dibao: boolean
  wubao: boolean
  medical_insurance: boolean
  pension: boolean
}

export interface ProjectRow {
  id: number
  type: 'road' | 'water' | 'housing' | 'relocation' | 'industry' | 'education' | 'health'
  name: string
  stage: 'plan' | 'approved' | 'construction' | 'completed' | 'evaluated'
  year: number
  budget_yuan: number
  spent_yuan: number
  county_code: string
  village_code: string | null
  beneficiary_households: number
  beneficiary_villages: number
  geom: Point | LineString | MultiLineString | Polygon | MultiPolygon
}

/** Tables in load order (parents before children). */
export interface Dataset {
  admin_area: AdminAreaRow[]
  indicator_def: IndicatorDefRow[]
  indicator_value: IndicatorValueRow[]
  road: RoadRow[]
  water: WaterRow[]
  school: SchoolRow[]
  clinic: ClinicRow[]
  household: HouseholdRow[]
  household_year: HouseholdYearRow[]
  member: MemberRow[]
  project: ProjectRow[]
}
