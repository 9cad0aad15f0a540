import { describe, expect, it } from 'vitest'
import { validateRows } from '../../../domain/crosschecks/validate-rows.js'
import { REGISTRIES, REGISTRY_KINDS, type RegistryColumn } from '../../../domain/crosschecks/registries.js'
import { gb11643CheckDigit } from '../../../geodata/generate/households/id-numbers.js'
import { createRng, type Rng } from '../../../geodata/generate/rng.js'
import { referenceValidateRows } from './validate-rows-reference.js'

const TODAY = new Date(Date.UTC(2024, 5, 1))
const id = (first17: string) => first17 + gb11643CheckDigit(first17)
const GOOD_IDS = [id('43312419800101001'), id('43312419921231002'), id('43010220080229003')]
const BAD_IDS = [
  GOOD_IDS[0]!.slice(0, 17) + (GOOD_IDS[0]![17] === '0' ? '1' : '0'), // check digit
  id('43312419801301001'), // no such month
  id('43312420300101001'), // born in the future
  '12345',
  GOOD_IDS[1]!.toLowerCase().replace(/.$/, 'x'),
]

/** A cell for a column: mostly valid, sometimes wrong, empty, padded or too long; few values, so that rows repeat. */
function cell(rng: Rng, c: RegistryColumn): string {
  const r = rng.next()
  if (r < 0.06) return ''
  if (r < 0.09) return 'x'.repeat(201)
  const pad = (v: string) => (rng.next() < 0.1 ? ` ${v} ` : v)
  switch (c.type) {
    case 'idNumber':
      return pad(rng.next() < 0.8 ? rng.pick(GOOD_IDS) : rng.pick(BAD_IDS))
    case 'name':
      return pad(rng.pick(['龙某', '张三', '欧阳娜娜']))
    case 'text':
      return pad(rng.pick(['湘U1', '湘U2', 'abc', '91433124MA4L']))
    case 'date':
      return pad(rng.pick(['2018-05-01', '2018/5/1', '20180501', '2018年5月1日', '2018-02-30', '2018-05-01T00:00:00Z', 'soon']))
    case 'number':
      return pad(rng.pick(['12', '1,234.5', '-3', '0.5', 'abc', '1e5']))
    case 'enum':
      return pad(rng.pick([...c.values!, ...c.values!, 'bogus']))
    case 'areaCode':
      return pad(rng.pick(['433124', '433124110226', '4331241', 'abc']))
  }
}

/** A valid cell of row i: ID numbers and texts unique to the row, so that no row repeats another. */
function validCell(rng: Rng, c: RegistryColumn, i: number): string {
  if (!c.required && rng.next() < 0.2) return ''
  switch (c.type) {
    case 'idNumber':
      return id(`43312419800101${String(i).padStart(3, '0')}`)
    case 'name':
      return rng.pick(['龙某', '张三', '欧阳娜娜'])
    case 'text':
      return `T${i}`
    case 'date':
      return rng.pick(['2018-05-01', '2018/5/1', '20180501', '2018年5月1日'])
    case 'number':
      return rng.pick(['12', '1,234.5', '-3', '0.5'])
    case 'enum':
      return rng.pick(c.values!)
    case 'areaCode':
      return rng.pick(['433124', '433124110226'])
  }
}

/** A file of a registry's layout: its header (sometimes shuffled, short of a column, with an extra or a repeated one, a BOM) and rows. */
function file(rng: Rng, kind: (typeof REGISTRY_KINDS)[number]): { header: string[]; rows: string[][] } {
  const cols = [...REGISTRIES[kind].columns]
  if (rng.next() < 0.5) cols.sort(() => rng.next() - 0.5)
  if (rng.next() < 0.3) return { header: cols.map((c) => c.header), rows: Array.from({ length: rng.int(1, 30) }, (_, i) => cols.map((c) => validCell(rng, c, i))) }
  if (rng.next() < 0.15) cols.splice(rng.int(0, cols.length - 1), 1)
  const header = cols.map((c) => c.header)
  const r = rng.next()
  if (r < 0.05) header.push('备注')
  else if (r < 0.1) header.push(header[0]!)
  else if (r < 0.15) header.push('')
  if (rng.next() < 0.1) header[0] = `\uFEFF${header[0]}`
  const rows: string[][] = []
  for (let i = rng.int(0, 30); i > 0; i--) {
    const x = rng.next()
    if (x < 0.05) rows.push(['', ' '])
    else if (x < 0.15 && rows.length > 0) rows.push([...rng.pick(rows)])
    else {
      const row = cols.map((c) => cell(rng, c))
      rows.push(rng.next() < 0.05 ? row.slice(0, rng.int(0, row.length)) : row)
    }
  }
  return { header, rows }
}

// The check was rewritten for a million rows (no closures or lists per row); its report and records must be
// those of the first, plain version, for every registry and any mix of good and bad cells.
describe('validateRows', () => {
  it('agrees with the reference check on random files of every registry (fixed seed)', () => {
    const rng = createRng(20240601)
    let errors = 0
    let records = 0
    for (const kind of REGISTRY_KINDS) {
      for (let n = 0; n < 300; n++) {
        const f = file(rng, kind)
        const ours = validateRows(kind, f.header, f.rows, TODAY)
        expect(ours, `${kind} #${n}`).toEqual(referenceValidateRows(kind, f.header, f.rows, TODAY))
        errors += ours.errors.length
        records += ours.records.length
      }
    }
    // Both kinds of outcome were exercised, many times.
    expect(errors).toBeGreaterThan(1000)
    expect(records).toBeGreaterThan(300)
  })

  it('agrees on a large file with many errors (the report stops at its cap) and on a clean one', () => {
    const cols = REGISTRIES.vehicles.columns
    const good = (i: number) => cols.map((c) => (c.key === 'plate' ? `湘U${i}` : c.type === 'idNumber' ? GOOD_IDS[i % 3]! : c.type === 'name' ? '龙某' : c.type === 'date' ? '2018-05-01' : c.values ? c.values[0]! : 'x'))
    const header = cols.map((c) => c.header)
    const clean = Array.from({ length: 5000 }, (_, i) => good(i))
    const ours = validateRows('vehicles', header, clean, TODAY)
    expect(ours.errors).toEqual([])
    expect(ours.records).toHaveLength(5000)
    expect(ours).toEqual(referenceValidateRows('vehicles', header, clean, TODAY))
    const dirty = clean.map((r, i) => (i % 7 === 0 ? r.map((v, k) => (cols[k]!.type === 'date' ? 'never' : v)) : i % 11 === 0 ? good(i - 1) : r))
    const bad = validateRows('vehicles', header, dirty, TODAY)
    expect(bad.errors).toHaveLength(500)
    expect(bad.records).toEqual([])
    expect(bad).toEqual(referenceValidateRows('vehicles', header, dirty, TODAY))
  })
})
