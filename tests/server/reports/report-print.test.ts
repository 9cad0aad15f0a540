/**
 * Issue 19, the printable report's content, without Chromium: the print HTML of report-print.ts has
 * the area map (one path per ring of each child area's outline, shaded by incidence), the charts, and
 * the lagging sub-areas table listing exactly the areas picked by the rule (highest incidence of
 * poor plus returned people over rural population; areas without poor people left out; at most 5),
 * worked out here from the report rows on their own. The PDF smoke test stays in reports.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { laggingAreas, mapSvg, reportHtml, subAreaFigures, type AreaShape } from '../../../server/reports/report-print.js'
import type { Report } from '../../../domain/reports/schemas.js'

const square = (x: number, y: number, s = 0.01) => [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]

/** Eight townships: populations, poor and returned people chosen so that the order is known by hand. */
const CHILDREN = [
  { code: '433124100', name: '甲镇', pop: 1000, poor: 50, returned: 0 }, // 5 %
  { code: '433124101', name: '乙镇', pop: 2000, poor: 150, returned: 50 }, // 10 %
  { code: '433124102', name: '丙乡', pop: 500, poor: 0, returned: 0 }, // no poor people: never lagging
  { code: '433124103', name: '丁乡', pop: 400, poor: 60, returned: 0 }, // 15 %
  { code: '433124104', name: '戊乡', pop: 3000, poor: 90, returned: 0 }, // 3 %
  { code: '433124105', name: '己镇', pop: 1000, poor: 70, returned: 30 }, // 10 %, fewer people than 乙镇
  { code: '433124106', name: '庚乡', pop: 0, poor: 20, returned: 0 }, // no population: incidence unknown, last
  { code: '433124107', name: '辛镇<&>', pop: 800, poor: 8, returned: 0 }, // 1 %
]
const EXPECTED_LAGGING = ['丁乡', '乙镇', '己镇', '甲镇', '戊乡']

function statusReport(children = CHILDREN): Report {
  const rows = children.map((c) => ({
    code: c.code,
    name: c.name,
    registeredHouseholds: c.poor + c.returned + 10,
    registeredPeople: (c.poor + c.returned) * 3 + 30,
    poorHouseholds: Math.ceil(c.poor / 3),
    poorPeople: c.poor,
    returnedHouseholds: Math.ceil(c.returned / 3),
    returnedPeople: c.returned,
    liftedHouseholds: 10,
    liftedPeople: 30,
  }))
  const keys = Object.keys(rows[0]!).filter((k) => k !== 'code' && k !== 'name')
  const total = Object.fromEntries(keys.map((k) => [k, rows.reduce((a, r) => a + (r as unknown as Record<string, number>)[k]!, 0)]))
  return {
    id: 'status',
    title: '建档立卡贫困户、人口按状态统计',
    titleEn: 'status',
    area: { code: '433124', name: '花垣县', level: 'county' },
    year: 2018,
    columns: keys.map((k) => ({ key: k, title: k, unit: '户' })),
    rows,
    total,
  } as unknown as Report
}

function causeReport(): Report {
  return {
    id: 'cause',
    title: '按主要致贫原因',
    titleEn: 'cause',
    area: { code: '433124', name: '花垣县', level: 'county' },
    year: 2018,
    columns: [
      { key: 'all', title: '合计', unit: '户' },
      { key: 'illness', title: '因病', unit: '户' },
      { key: 'schooling', title: '因学', unit: '户' },
    ],
    rows: [{ code: '433124100', name: '甲镇', all: 9, illness: 5, schooling: 4 }],
    total: { all: 9, illness: 5, schooling: 4 },
  } as unknown as Report
}

/** Township 6 is a MultiPolygon of two parts; the others one square each; one has no outline. */
function shapes(): AreaShape[] {
  return CHILDREN.map((c, i) => ({
    code: c.code,
    name: c.name,
    ruralPopulation: c.pop || null,
    geometry: i === 6 ? { type: 'MultiPolygon', coordinates: [square(109.5 + i * 0.01, 28.3), square(109.5 + i * 0.01, 28.32)] } : { type: 'Polygon', coordinates: square(109.5 + i * 0.01, 28.3) },
  }))
}

/** The lagging table of the print page: its rows' cells as text. */
function laggingRows(html: string): string[][] {
  const section = html.split('<h2>相对滞后的下级区划</h2>')[1]!.split('<h2>')[0]!
  return [...section.matchAll(/<tr><td>(.*?)<\/tr>/g)].map((m) => [...`<td>${m[1]!}`.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!))
}

describe('the printable report (HTML printed to PDF)', () => {
  it('lagging sub-areas: exactly those the rule picks, computed independently from the report rows', async () => {
    const report = statusReport()
    const html = await reportHtml({ reports: [report, causeReport()], shapes: shapes(), generatedAt: new Date('2026-01-02T03:04:00Z') })
    // Independently: incidence per row from the rows and the populations, poor people only, top 5.
    const pop = new Map(CHILDREN.map((c) => [c.code, c.pop]))
    const independent = report.rows
      .map((r) => {
        const people = Number(r.poorPeople) + Number(r.returnedPeople)
        const p = pop.get(r.code)!
        return { name: r.name, people, households: Number(r.poorHouseholds) + Number(r.returnedHouseholds), inc: p > 0 ? people / p : null }
      })
      .filter((r) => r.people > 0)
      .sort((a, b) => (a.inc === null ? 1 : b.inc === null ? -1 : b.inc - a.inc || b.people - a.people))
      .slice(0, 5)
    expect(independent.map((r) => r.name)).toEqual(EXPECTED_LAGGING)
    expect(laggingAreas(subAreaFigures(report, shapes())).map((f) => f.name)).toEqual(EXPECTED_LAGGING)
    const rows = laggingRows(html)
    expect(rows.map((r) => r[0])).toEqual(EXPECTED_LAGGING)
    rows.forEach((r, i) => {
      const x = independent[i]!
      expect(r[1]).toBe(x.households.toLocaleString('zh-CN'))
      expect(r[2]).toBe(x.people.toLocaleString('zh-CN'))
      expect(r[3]).toBe(`${(x.inc! * 100).toFixed(2)}%`)
    })
    // A wider n reaches the area without population last; the one without poor people never.
    expect(laggingAreas(subAreaFigures(report, shapes()), 10).map((f) => f.name)).toEqual([...EXPECTED_LAGGING, '辛镇<&>', '庚乡'])
  })

  it('the map: one path per ring of every child outline, darker for higher incidence, names escaped', async () => {
    const html = await reportHtml({ reports: [statusReport(), causeReport()], shapes: shapes(), generatedAt: new Date() })
    const map = html.split('<h2>区域分布</h2>')[1]!.split('<h2>')[0]!
    const svg = map.match(/<svg[\s\S]*?<\/svg>/)?.[0]
    expect(svg).toBeDefined()
    const paths = [...svg!.matchAll(/<path d="M([^"]+)Z" fill="([^"]+)"/g)]
    expect(paths).toHaveLength(CHILDREN.length + 1) // the MultiPolygon's two parts
    // Every path closes its ring: 5 vertices, inside the drawing.
    for (const p of paths) {
      const pts = p[1]!.split('L').map((s) => s.split(',').map(Number))
      expect(pts).toHaveLength(5)
      for (const [x, y] of pts) {
        expect(x).toBeGreaterThanOrEqual(0)
        expect(x).toBeLessThanOrEqual(520)
        expect(y).toBeGreaterThanOrEqual(0)
        expect(y).toBeLessThanOrEqual(360)
      }
    }
    // Fill: the highest incidence (丁乡, index 3) darkest, no population grey, the order of green follows incidence.
    const green = (fill: string) => Number(/rgb\(\d+,(\d+),\d+\)/.exec(fill)?.[1] ?? NaN)
    const fills = paths.map((p) => p[2]!)
    expect(fills[7]).toBe('#eeeeee') // 庚乡's two parts: paths 6 and 7
    expect(fills[6]).toBe('#eeeeee')
    expect(green(fills[3]!)).toBe(70)
    expect(green(fills[1]!)).toBeGreaterThan(green(fills[3]!))
    expect(green(fills[0]!)).toBeGreaterThan(green(fills[1]!))
    expect(green(fills[2]!)).toBe(240) // no poor people: the lightest
    // One label per child with an outline, escaped.
    expect([...svg!.matchAll(/<text /g)]).toHaveLength(CHILDREN.length)
    expect(svg).toContain('辛镇&lt;&amp;&gt;')
    expect(html).not.toContain('辛镇<&>')
    // Without outlines there is no map, and the page still renders.
    expect(mapSvg(shapes().map((s) => ({ ...s, geometry: null })), [])).toBe('')
  })

  it('the charts: poor people per child and the main causes, as SVG with the figures', async () => {
    const html = await reportHtml({ reports: [statusReport(), causeReport()], shapes: shapes(), generatedAt: new Date() })
    const charts = html.split('<h2>图表</h2>')[1]!.split('<h2>')[0]!
    const svgs = charts.match(/<svg[\s\S]*?<\/svg>/g) ?? []
    expect(svgs).toHaveLength(2)
    expect(svgs[0]).toContain('各下级区划未脱贫人口')
    expect(svgs[1]).toContain('建档立卡户主要致贫原因')
    // One bar per child (ECharts draws each bar as a path with the series colour), one per cause.
    const bars = (svg: string) => (svg.match(/<path [^>]*fill="#c0392b"/g) ?? []).length
    expect(bars(svgs[0]!)).toBe(CHILDREN.length)
    expect(bars(svgs[1]!)).toBe(2)
    for (const c of CHILDREN) expect(svgs[0]).toContain(c.name.replace('<&>', '&lt;&amp;&gt;'))
    // Key figures: the whole area's poor people and its incidence.
    const people = CHILDREN.reduce((a, c) => a + c.poor + c.returned, 0)
    const pop = CHILDREN.reduce((a, c) => a + c.pop, 0)
    expect(html).toContain(`${people.toLocaleString('zh-CN')} 人`)
    expect(html).toContain(`${((people / pop) * 100).toFixed(2)}%`)
  })

  it('no poor people anywhere: no lagging table, a sentence instead', async () => {
    const none = CHILDREN.map((c) => ({ ...c, poor: 0, returned: 0 }))
    const html = await reportHtml({ reports: [statusReport(none)], shapes: shapes(), generatedAt: new Date() })
    expect(laggingRows(html)).toEqual([])
    expect(html).toContain('本年度各下级区划均无未脱贫人口。')
  })
})
