/** Number formatting shared by panels, legend and popups. */
export function fmtNumber(v: number | null | undefined, locale: string, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  return v.toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 })
}

export function fmtPercent(share: number | null | undefined, locale: string, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—'
  return `${(share * 100).toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits })}%`
}

/** An indicator value in its unit: ratios and yes/no shares as percentages, others with two decimals at most. */
export function fmtIndicator(v: number | null | undefined, unit: string, locale: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  if (unit === 'ratio' || unit === 'bool') return fmtPercent(v, locale)
  if (unit === '%') return `${fmtNumber(v, locale, 2)}%`
  if (unit === 'households' || unit === 'persons') return fmtNumber(v, locale, 0)
  return fmtNumber(v, locale, Math.abs(v) >= 100 ? 0 : 2)
}

/** Yuan as 万元 (10,000 yuan). */
export function fmtWan(yuan: number, locale: string): string {
  return fmtNumber(yuan / 1e4, locale, 1)
}

/** An indicator value with its unit word (none for shares and percentages, which carry their own %). */
export function fmtIndicatorUnit(v: number | null | undefined, unit: string, locale: string, unitWord: string): string {
  const text = fmtIndicator(v, unit, locale)
  return text === '—' || ['ratio', 'bool', '%', 'index'].includes(unit) || !unitWord ? text : `${text} ${unitWord}`
}
