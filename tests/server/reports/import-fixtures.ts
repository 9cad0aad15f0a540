import iconv from 'iconv-lite'
import { idCheckChar } from '../../../domain/registry/validation.js'
import { HOUSEHOLD_IMPORT_COLUMNS } from '../../../domain/reports/import-columns.js'
import { FIXTURE } from '../../helpers/fixture-dataset.js'

/** A valid ID number (GB 11643) of area `area`: sex digit odd for men, even for women. */
export function idOf(n: number, sex: 'M' | 'F', area = '433124', birth = '19850315'): string {
  const seq = String(2 * n + (sex === 'M' ? 1 : 0)).padStart(3, '0')
  const first17 = `${area}${birth}${seq}`
  return first17 + idCheckChar(first17)
}

/** A point inside village i of the fixture (or inside the box at column/row given). */
export function pointIn(i: number, dx = 0.005, dy = 0.006): [number, number] {
  const [x0, y0] = FIXTURE.origin
  const c = FIXTURE.cell
  return [+(x0 + (i % 2) * c + dx).toFixed(6), +(y0 + Math.floor(i / 2) * c + dy).toFixed(6)]
}

export interface MemberRow {
  name: string
  sex: 'M' | 'F'
  id: string
  relation: string
}
export interface HouseholdRow {
  village: string
  at: [number, number]
  cause?: string
  size?: number
  income?: number
  members: MemberRow[]
  year?: number
}

/** Rows of the import table (Chinese headers of the template, in its order), one per member. */
export function householdRows(households: readonly HouseholdRow[]): string[][] {
  const header = HOUSEHOLD_IMPORT_COLUMNS.map((c) => c.headers[0]!)
  const rows = households.flatMap((h) =>
    h.members.map((m) => {
      const v: Record<string, string> = {
        headIdNumber: h.members.find((x) => x.relation === '户主')?.id ?? h.members[0]!.id,
        villageCode: h.village,
        lon: String(h.at[0]),
        lat: String(h.at[1]),
        year: String(h.year ?? 2020),
        attribute: '一般贫困户',
        identificationStandard: '国家标准',
        mainCause: h.cause ?? '因病',
        size: String(h.size ?? h.members.length),
        incomePerCapita: String(h.income ?? 3200),
        phone: '13812345678',
        name: m.name,
        sex: m.sex === 'M' ? '男' : '女',
        idNumber: m.id,
        relation: m.relation,
        ethnicity: '苗族',
        schooling: '小学',
        health: '健康',
        labour: '普通劳动力',
      }
      return HOUSEHOLD_IMPORT_COLUMNS.map((c) => v[c.key]!)
    }),
  )
  return [header, ...rows]
}

export const csvText = (rows: readonly string[][]): string => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n'
export const gb18030 = (text: string): Buffer => iconv.encode(text, 'gb18030')
