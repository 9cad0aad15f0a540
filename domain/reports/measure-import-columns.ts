/**
 * The columns of an assistance-measure import (帮扶措施, issue 19): the household by its head's ID number (or its
 * ref), the measure's family, title, responsible cadre, amount, dates, status and a progress note. Chinese or
 * English headers; families and statuses by their Chinese label or code.
 */
import { MEASURE_FAMILY_NAMES } from '../registry/enums.js'
import { MEASURE_STATUS_LABELS } from './labels.js'
import type { ImportColumn } from './import-columns.js'

const byLabel = (labels: Readonly<Record<string, { zh: string }>>): Record<string, string> =>
  Object.fromEntries(Object.entries(labels).flatMap(([code, l]) => [[l.zh, code], [code, code]]))

const STATUSES = { ...byLabel(MEASURE_STATUS_LABELS), 已终止: 'dropped', 进行中: 'under_way', 计划中: 'planned' }

export const MEASURE_IMPORT_COLUMNS: readonly ImportColumn[] = [
  { key: 'headIdNumber', headers: ['户主身份证号', 'head_id_number', 'headIdNumber'], kind: 'text', personal: true, example: '433124198001010012' },
  { key: 'householdRef', headers: ['户编码', '户标识', 'household_ref', 'householdRef', 'ref'], kind: 'text', example: '' },
  { key: 'family', headers: ['帮扶措施类别', '措施类别', '帮扶类别', 'family'], kind: 'enum', required: true, values: byLabel(MEASURE_FAMILY_NAMES), example: '产业' },
  { key: 'title', headers: ['措施名称', '帮扶措施', 'title'], kind: 'text', example: '发展猕猴桃种植' },
  { key: 'cadre', headers: ['帮扶责任人', '责任人', 'cadre'], kind: 'text', required: true, example: '张三' },
  { key: 'amountYuan', headers: ['金额（元）', '金额', '帮扶资金', 'amount_yuan', 'amountYuan', 'amount'], kind: 'number', required: true, example: '5000' },
  { key: 'startDate', headers: ['开始日期', 'start_date', 'startDate'], kind: 'text', required: true, example: '2020-03-01' },
  { key: 'targetDate', headers: ['计划完成日期', '完成日期', 'target_date', 'targetDate'], kind: 'text', required: true, example: '2020-12-31' },
  { key: 'status', headers: ['实施状态', '状态', 'status'], kind: 'enum', required: true, values: STATUSES, example: '实施中' },
  { key: 'note', headers: ['进展情况', '备注', 'note', 'notes'], kind: 'text', example: '' },
]

/** A date cell as YYYY-MM-DD: 2020-3-1, 2020/03/01, 2020.3.1 and 20200301 are read too; anything else stays as written (and fails validation). */
export function normaliseDate(text: string): string {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text)
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : text
}
