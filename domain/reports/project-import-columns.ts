/**
 * The columns of project and indicator-value imports (issue 19), recognised by Chinese or English header like
 * the household import's (import-columns.ts), and the checks of their values that need no database. DBF field
 * names are at most 10 characters: the English aliases fit, so a Shapefile's attribute table maps too.
 */
import { PROJECT_STAGES, PROJECT_TYPES } from '../codes.js'
import type { ImportColumn } from './import-columns.js'
import { PROJECT_TYPE_LABELS, STAGE_LABELS } from './labels.js'

const byLabel = (labels: Readonly<Record<string, { zh: string }>>): Record<string, string> =>
  Object.fromEntries(Object.entries(labels).flatMap(([code, l]) => [[l.zh, code], [code, code]]))

/** Coordinate systems an import names (option `crs` or a 坐标系 column); GCJ-02 is not an EPSG system. */
export const IMPORT_CRS_NAMES: Readonly<Record<string, 'wgs84' | 'cgcs2000' | 'gcj02'>> = {
  wgs84: 'wgs84', 'wgs-84': 'wgs84', 'epsg:4326': 'wgs84', '4326': 'wgs84',
  cgcs2000: 'cgcs2000', 'epsg:4490': 'cgcs2000', '4490': 'cgcs2000', 国家2000: 'cgcs2000', 国家2000坐标系: 'cgcs2000',
  gcj02: 'gcj02', 'gcj-02': 'gcj02', 火星坐标: 'gcj02', 火星坐标系: 'gcj02', 高德: 'gcj02', 腾讯: 'gcj02', 国测局坐标: 'gcj02',
}

export const PROJECT_IMPORT_COLUMNS: readonly ImportColumn[] = [
  { key: 'code', headers: ['项目编号', '项目代码', 'code', 'project_code', 'projectCode'], kind: 'text', required: true, example: 'HY2020-001' },
  { key: 'name', headers: ['项目名称', 'name', 'project_name'], kind: 'text', required: true, example: '十八洞村产业路' },
  { key: 'type', headers: ['项目类型', 'type'], kind: 'enum', required: true, values: byLabel(PROJECT_TYPE_LABELS), example: '道路交通' },
  { key: 'stage', headers: ['项目阶段', '建设阶段', 'stage'], kind: 'enum', required: true, values: byLabel(STAGE_LABELS), example: '在建' },
  { key: 'year', headers: ['年度', '立项年度', 'year'], kind: 'int', required: true, example: '2020' },
  { key: 'budget', headers: ['总投资（元）', '总投资', '预算', 'budget', 'budget_yuan'], kind: 'number', required: true, example: '1200000' },
  { key: 'spent', headers: ['已完成投资（元）', '已完成投资', '已支出', 'spent', 'spent_yuan'], kind: 'number', required: true, example: '600000' },
  { key: 'villageCode', headers: ['村代码', '行政村代码', 'village_code', 'villageCode', 'village'], kind: 'text', example: '433124110226' },
  { key: 'countyCode', headers: ['县代码', '县市区代码', 'county_code', 'countyCode', 'county'], kind: 'text', example: '433124' },
  { key: 'households', headers: ['受益户数', 'beneficiary_households', 'households', 'hh'], kind: 'int', example: '40' },
  { key: 'villages', headers: ['受益村数', 'beneficiary_villages', 'villages'], kind: 'int', example: '1' },
  { key: 'lon', headers: ['经度', 'lon', 'lng', 'longitude', 'x'], kind: 'number', example: '109.51' },
  { key: 'lat', headers: ['纬度', 'lat', 'latitude', 'y'], kind: 'number', example: '28.31' },
  { key: 'crs', headers: ['坐标系', 'crs'], kind: 'text', example: 'WGS84' },
]

/** Indicator values, one per row ("long"); a "wide" file has a column per indicator instead of 指标 and 数值. */
export const INDICATOR_IMPORT_COLUMNS: readonly ImportColumn[] = [
  { key: 'villageCode', headers: ['村代码', '行政村代码', 'village_code', 'villageCode', 'code'], kind: 'text', example: '433124110226' },
  { key: 'villageName', headers: ['村名称', '村名', '行政村', 'village_name', 'village'], kind: 'text', example: '十八洞村' },
  { key: 'indicator', headers: ['指标', '指标名称', '指标代码', 'indicator', 'indicator_code'], kind: 'text', required: true, example: '贫困发生率' },
  { key: 'year', headers: ['年度', 'year'], kind: 'int', required: true, example: '2020' },
  { key: 'value', headers: ['数值', '值', '指标值', 'value'], kind: 'number', required: true, example: '1.2' },
]

export type ProjectType = (typeof PROJECT_TYPES)[number]
export type ProjectStage = (typeof PROJECT_STAGES)[number]

/** Years a project may carry: planned ones up to five years ahead. */
export const projectYearRange = (today = new Date()): [number, number] => [2000, today.getUTCFullYear() + 5]
/** Years an indicator value may carry: measured, so not in the future. */
export const indicatorYearRange = (today = new Date()): [number, number] => [2000, today.getUTCFullYear()]

/** Indicators the platform computes itself (accessibility, issue 18): an import would be overwritten. */
export const COMPUTED_INDICATORS: readonly string[] = ['access_school_min', 'access_clinic_min', 'access_township_min', 'access_county_min', 'access_water_min']

/** The range an indicator's unit declares, or null (any finite number). */
export function unitRange(unit: string): { min: number; max: number; integer?: boolean } | null {
  switch (unit) {
    case 'ratio':
      return { min: 0, max: 1 }
    case '%':
      return { min: 0, max: 100 }
    case 'bool':
      return { min: 0, max: 1, integer: true }
    case 'deg':
    case '°':
      return { min: 0, max: 90 }
    case 'km':
    case 'min':
    case 'households':
    case 'people':
    case 'persons':
    case 'yuan':
      return { min: 0, max: Number.MAX_VALUE }
    default:
      return null
  }
}
