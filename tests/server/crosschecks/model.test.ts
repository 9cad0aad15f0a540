import { describe, expect, it } from 'vitest'
import { isHeldOut, trainAndEvaluate, type ModelRow } from '../../../server/crosschecks/model.js'
import { householdLead, strangerLead, LEAD_THRESHOLD } from '../../../domain/crosschecks/misidentification.js'

// The model's figures come from households it did not train on, and the leads' scores are their reasons' weights.
describe('crosschecks model and leads', () => {
  const rows: ModelRow[] = Array.from({ length: 800 }, (_, i) => {
    const id = 1_000_003 * (i + 1) + 17
    const ratio = (i % 40) / 10
    // The label follows the income ratio, except a few households whose registry says otherwise.
    return { id, poor: i % 97 === 0 ? ratio >= 1 : ratio < 1, features: [ratio, i % 2, (i >> 1) % 2, 4, 0.5] }
  })

  it('held out: a fixed quarter by id, never trained on; precision and recall are computed there', () => {
    const held = rows.filter((r) => isHeldOut(r.id))
    expect(held.length).toBeGreaterThan(rows.length * 0.18)
    expect(held.length).toBeLessThan(rows.length * 0.32)
    expect(rows.map((r) => isHeldOut(r.id))).toEqual(rows.map((r) => isHeldOut(r.id)))
    const { report, poorProbability } = trainAndEvaluate(rows)
    expect(report.testSize).toBe(held.length)
    expect(report.trainSize).toBe(rows.length - held.length)
    expect(report.testPositives).toBe(held.filter((r) => r.poor).length)
    // Recomputed from the probabilities on the held-out rows only.
    let tp = 0
    let fp = 0
    let fn = 0
    for (const r of held) {
      const p = poorProbability!.get(r.id)! >= 0.5
      if (p && r.poor) tp++
      else if (p) fp++
      else if (r.poor) fn++
    }
    expect(report.precision).toBeCloseTo(tp / (tp + fp), 10)
    expect(report.recall).toBeCloseTo(tp / (tp + fn), 10)
    expect(report.precision!).toBeGreaterThan(0.8)
    expect(report.recall!).toBeGreaterThan(0.8)
  })

  it('too few of a class: no model, no figures', () => {
    const { report, poorProbability } = trainAndEvaluate(rows.map((r) => ({ ...r, poor: false })))
    expect(poorProbability).toBeNull()
    expect([report.precision, report.recall, report.accuracy]).toEqual([null, null, null])
  })

  it('leads: registered poor that look non-poor, exited that look deprived, strangers; the score is the sum of the reasons', () => {
    const car = householdLead({ status: 'poor', incomeRatio: 0.8, deprivations: ['income', 'water'], flags: ['vehicle_owner'], modelPoor: 0.9 })
    expect(car).toEqual({ rule: 'misid_in', score: 0.3, reasons: [{ code: 'flag:vehicle_owner', weight: 0.3 }] })
    const rich = householdLead({ status: 'returned', incomeRatio: 2.5, deprivations: [], flags: ['deceased_listed'], modelPoor: 0.1 })
    expect(rich?.reasons.map((r) => r.code)).toEqual(['income_well_above_line', 'no_deprivation', 'model_non_poor'])
    expect(rich?.score).toBe(0.75)
    expect(householdLead({ status: 'poor', incomeRatio: 1.6, deprivations: ['water'], flags: [], modelPoor: 0.6 })).toBeNull()
    const exited = householdLead({ status: 'lifted', incomeRatio: 0.9, deprivations: ['income', 'housing'], flags: ['uninsured', 'vehicle_owner'], modelPoor: null })
    expect(exited).toMatchObject({ rule: 'misid_out', score: 0.7 })
    expect(exited?.reasons.map((r) => r.code)).toEqual(['income_below_line', 'deprived:housing', 'flag:uninsured'])
    expect(householdLead({ status: 'lifted', incomeRatio: 1.4, deprivations: [], flags: ['uninsured'], modelPoor: 0.2 })).toBeNull()
    // The Alkire–Foster verdict, where the identification has run, is one more reason.
    expect(householdLead({ status: 'lifted', incomeRatio: 1.2, deprivations: ['water', 'housing'], flags: [], modelPoor: null, afPoor: true })).toMatchObject({ score: 0.5 })
    expect(householdLead({ status: 'lifted', incomeRatio: 1.2, deprivations: ['water', 'housing'], flags: [], modelPoor: null, afPoor: false })).toMatchObject({ score: 0.3 })
    expect(householdLead({ status: 'poor', incomeRatio: 1.6, deprivations: [], flags: [], modelPoor: null, afPoor: false })?.reasons.map((r) => r.code)).toEqual(['income_above_line', 'no_deprivation', 'af_non_poor'])
    expect(strangerLead({ allowance: true, unsafeHousing: true })?.score).toBe(0.9)
    expect(strangerLead({ allowance: false, unsafeHousing: false })).toBeNull()
    expect(LEAD_THRESHOLD).toBe(0.3)
  })
})
