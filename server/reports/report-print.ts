/**
 * The printable report of an area for leaders (A4, Chinese): key figures, a map of the area's children
 * shaded by poverty incidence, charts (ECharts rendered to SVG on the server), the lagging sub-areas and
 * the statistical tables. Plain HTML with every value escaped; Chromium prints it (report-pdf.ts).
 */
import type { Report } from '../../domain/reports/schemas.js'
import { DEMO_NOTE } from '../../domain/reports/labels.js'

export interface AreaShape {
  code: string
  name: string
  ruralPopulation: number | null
  /** GeoJSON geometry (Polygon or MultiPolygon), WGS84, simplified. */
  geometry: { type: string; coordinates: unknown } | null
}

export interface PrintInput {
  reports: readonly Report[]
  /** The area's children (or the area itself for a village) with outlines. */
  shapes: readonly AreaShape[]
  generatedAt: Date
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
const fmt = (n: number) => Math.round(n).toLocaleString('zh-CN')
const pct = (n: number | null) => (n === null ? '—' : `${(n * 100).toFixed(2)}%`)

export interface SubAreaFigure {
  code: string
  name: string
  poorPeople: number
  poorHouseholds: number
  incidence: number | null
}

/** Poor people and incidence (poor people / rural population) of each row of the status table. */
export function subAreaFigures(status: Report | undefined, shapes: readonly AreaShape[]): SubAreaFigure[] {
  if (!status) return []
  const pop = new Map(shapes.map((s) => [s.code, s.ruralPopulation]))
  return status.rows.map((r) => {
    const poorPeople = Number(r.poorPeople ?? 0) + Number(r.returnedPeople ?? 0)
    const p = pop.get(r.code) ?? null
    return { code: r.code, name: r.name, poorPeople, poorHouseholds: Number(r.poorHouseholds ?? 0) + Number(r.returnedHouseholds ?? 0), incidence: p ? poorPeople / p : null }
  })
}

/** The lagging sub-areas: highest incidence first (those without a population last), at most n. */
export function laggingAreas(figures: readonly SubAreaFigure[], n = 5): SubAreaFigure[] {
  return [...figures].filter((f) => f.poorPeople > 0).sort((a, b) => (b.incidence ?? -1) - (a.incidence ?? -1) || b.poorPeople - a.poorPeople).slice(0, n)
}

/** An SVG map of the shapes, each shaded by its incidence (equirectangular, scaled by the cosine of the latitude). */
export function mapSvg(shapes: readonly AreaShape[], figures: readonly SubAreaFigure[], width = 520, height = 360): string {
  const rings: { code: string; ring: number[][] }[] = []
  const walk = (code: string, c: unknown, depth: number) => {
    if (depth === 2) rings.push({ code, ring: c as number[][] })
    else for (const x of c as unknown[]) walk(code, x, depth + 1)
  }
  for (const s of shapes) {
    if (!s.geometry) continue
    if (s.geometry.type === 'Polygon') walk(s.code, s.geometry.coordinates, 1)
    else if (s.geometry.type === 'MultiPolygon') walk(s.code, s.geometry.coordinates, 0)
  }
  if (rings.length === 0) return ''
  let [w, so, e, n] = [Infinity, Infinity, -Infinity, -Infinity]
  for (const { ring } of rings) for (const [x, y] of ring) [w, so, e, n] = [Math.min(w, x!), Math.min(so, y!), Math.max(e, x!), Math.max(n, y!)]
  const k = Math.cos((((so + n) / 2) * Math.PI) / 180)
  const scale = Math.min((width - 20) / Math.max((e - w) * k, 1e-9), (height - 20) / Math.max(n - so, 1e-9))
  const px = (x: number) => 10 + (x - w) * k * scale
  const py = (y: number) => 10 + (n - y) * scale
  const byCode = new Map(figures.map((f) => [f.code, f.incidence]))
  const max = Math.max(...figures.map((f) => f.incidence ?? 0), 1e-9)
  const colour = (code: string) => {
    const v = byCode.get(code)
    if (v === null || v === undefined) return '#eeeeee'
    const t = Math.min(v / max, 1)
    return `rgb(${Math.round(255 - 40 * t)},${Math.round(240 - 170 * t)},${Math.round(220 - 170 * t)})`
  }
  const paths = rings.map(({ code, ring }) => `<path d="M${ring.map(([x, y]) => `${px(x!).toFixed(1)},${py(y!).toFixed(1)}`).join('L')}Z" fill="${colour(code)}" stroke="#555" stroke-width="0.6"/>`)
  const labels = shapes
    .filter((s) => s.geometry)
    .map((s) => {
      const pts = rings.filter((r) => r.code === s.code).flatMap((r) => r.ring)
      const cx = pts.reduce((a, p) => a + p[0]!, 0) / pts.length
      const cy = pts.reduce((a, p) => a + p[1]!, 0) / pts.length
      return `<text x="${px(cx).toFixed(1)}" y="${py(cy).toFixed(1)}" font-size="10" text-anchor="middle">${esc(s.name)}</text>`
    })
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${paths.join('')}${labels.join('')}</svg>`
}

async function barChartSvg(title: string, names: string[], values: number[], width = 520, height = 260): Promise<string> {
  const echarts = await import('echarts')
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  chart.setOption({
    animation: false,
    title: { text: title, textStyle: { fontSize: 13, fontFamily: 'Noto Sans CJK SC' } },
    grid: { left: 60, right: 10, top: 36, bottom: 60 },
    xAxis: { type: 'category', data: names, axisLabel: { rotate: names.length > 6 ? 40 : 0, fontSize: 10, fontFamily: 'Noto Sans CJK SC' } },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', data: values, itemStyle: { color: '#c0392b' } }],
  })
  const svg = chart.renderToSVGString()
  chart.dispose()
  return svg
}

function tableHtml(r: Report): string {
  const head = `<tr><th>区划</th>${r.columns.map((c) => `<th>${esc(c.title)}<br><small>${esc(c.unit)}</small></th>`).join('')}</tr>`
  const body = r.rows.map((row) => `<tr><td>${esc(row.name)}</td>${r.columns.map((c) => `<td class="n">${fmt(Number(row[c.key] ?? 0))}</td>`).join('')}</tr>`).join('')
  const total = `<tr class="total"><td>合计</td>${r.columns.map((c) => `<td class="n">${fmt(r.total[c.key] ?? 0)}</td>`).join('')}</tr>`
  return `<section class="table"><h3>${esc(r.title)}</h3><table>${head}${body}${total}</table>${r.note ? `<p class="note">说明：${esc(r.note)}</p>` : ''}</section>`
}

/** The whole print page. */
export async function reportHtml({ reports, shapes, generatedAt }: PrintInput): Promise<string> {
  const first = reports[0]!
  const status = reports.find((r) => r.id === 'status')
  const projects = reports.find((r) => r.id === 'projects-type')
  const cause = reports.find((r) => r.id === 'cause')
  const figures = subAreaFigures(status, shapes)
  const pop = shapes.reduce((a, s) => a + (s.ruralPopulation ?? 0), 0)
  const t = status?.total ?? {}
  const poorPeople = (t.poorPeople ?? 0) + (t.returnedPeople ?? 0)
  const keys: [string, string][] = [
    ['建档立卡户', `${fmt(t.registeredHouseholds ?? 0)} 户 / ${fmt(t.registeredPeople ?? 0)} 人`],
    ['未脱贫（含返贫）', `${fmt((t.poorHouseholds ?? 0) + (t.returnedHouseholds ?? 0))} 户 / ${fmt(poorPeople)} 人`],
    ['已脱贫', `${fmt(t.liftedHouseholds ?? 0)} 户 / ${fmt(t.liftedPeople ?? 0)} 人`],
    ['贫困发生率', pct(pop > 0 ? poorPeople / pop : null)],
    ...(projects ? ([['扶贫项目', `${fmt(projects.total.projects ?? 0)} 个，计划投资 ${fmt((projects.total.budget ?? 0) / 10000)} 万元`]] as [string, string][]) : []),
  ]
  const lagging = laggingAreas(figures)
  const charts = [
    figures.length > 1 ? await barChartSvg('各下级区划未脱贫人口（人）', figures.map((f) => f.name), figures.map((f) => f.poorPeople)) : '',
    cause ? await barChartSvg('建档立卡户主要致贫原因（户）', cause.columns.slice(1).map((c) => c.title), cause.columns.slice(1).map((c) => cause.total[c.key] ?? 0)) : '',
  ]
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(first.area.name)} ${first.year}年 脱贫攻坚统计报告</title>
<style>
@page { size: A4; margin: 14mm 12mm; }
body { font-family: 'Noto Sans CJK SC', 'Noto Serif CJK SC', sans-serif; font-size: 10.5pt; color: #222; }
h1 { font-size: 18pt; margin: 0 0 4pt; } h2 { font-size: 13pt; border-bottom: 1px solid #c0392b; margin: 14pt 0 6pt; } h3 { font-size: 11pt; margin: 10pt 0 4pt; }
.meta, .note { color: #666; font-size: 9pt; }
.keys { display: grid; grid-template-columns: 1fr 1fr; gap: 4pt 16pt; } .keys div { border-left: 3px solid #c0392b; padding-left: 6pt; }
.keys b { display: block; font-size: 12pt; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; page-break-inside: auto; } th, td { border: 1px solid #999; padding: 2pt 3pt; }
th { background: #f3e5e3; } td.n { text-align: right; } tr.total td { font-weight: bold; background: #faf3f2; }
section.table { page-break-inside: avoid; }
</style></head><body>
<h1>${esc(first.area.name)} ${first.year}年 脱贫攻坚统计报告</h1>
<p class="meta">区划代码 ${esc(first.area.code)} · 生成于 ${esc(generatedAt.toISOString().slice(0, 16).replace('T', ' '))} UTC · ${esc(DEMO_NOTE.zh)}</p>
<h2>主要指标</h2><div class="keys">${keys.map(([k, v]) => `<div>${esc(k)}<b>${esc(v)}</b></div>`).join('')}</div>
<h2>区域分布</h2><p class="note">颜色越深，贫困发生率越高（未脱贫人口 / 农村人口）。</p>${mapSvg(shapes, figures)}
<h2>图表</h2>${charts.join('')}
<h2>相对滞后的下级区划</h2>${
    lagging.length
      ? `<table><tr><th>区划</th><th>未脱贫户（户）</th><th>未脱贫人口（人）</th><th>贫困发生率</th></tr>${lagging.map((f) => `<tr><td>${esc(f.name)}</td><td class="n">${fmt(f.poorHouseholds)}</td><td class="n">${fmt(f.poorPeople)}</td><td class="n">${pct(f.incidence)}</td></tr>`).join('')}</table>`
      : '<p>本年度各下级区划均无未脱贫人口。</p>'
  }
<h2>统计报表</h2>${reports.map(tableHtml).join('')}
</body></html>`
}
