import type { Queryable } from '../db/types.js'
import { POVERTY_LINE } from '../../domain/codes.js'
import { householdLead, strangerLead, type Deprivation, type Lead } from '../../domain/crosschecks/misidentification.js'
import type { RuleCode } from '../../domain/crosschecks/rules.js'
import { trainAndEvaluate, type ModelReport, type ModelRow } from './model.js'

/**
 * A household's deprivations in a year, as a text[] column (DEPRIVATIONS' names): the official rule's gaps of
 * the identification (household_identification, migration 0013) where it has run for the household and year,
 * else derived here from household_year (income against the line $3, the 两不愁三保障 and water booleans).
 */
const DEPRIVATIONS_SQL = `COALESCE(hi.official_gaps, array_remove(ARRAY[
  CASE WHEN y.income_per_capita < $3 THEN 'income' END, CASE WHEN NOT y.food_clothing_ok THEN 'food_clothing' END,
  CASE WHEN NOT y.education_ok THEN 'education' END, CASE WHEN NOT y.medical_ok THEN 'medical' END,
  CASE WHEN NOT y.housing_ok THEN 'housing' END, CASE WHEN NOT y.water_ok THEN 'water' END], NULL))`

/**
 * $1 area, $2 year, $3 the year's poverty line, $4 most households: the area's households with their features and
 * standing flags, in id order (ids are a keyed permutation: the first n are a spread-out sample of the area).
 */
const HOUSEHOLDS = `SELECT h.id, h.village_code AS "villageCode", y.status, y.income_per_capita AS income, ${DEPRIVATIONS_SQL} AS deprivations,
  y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok,
  h.size, h.attribute, h.housing_safety AS "housingSafety", COALESCE(h.km_to_market, 0) AS "kmToMarket",
  mc.labour::int AS labour, mc.ill::int AS ill, mc.disabled::int AS disabled, COALESCE(f.rules, '{}') AS flags,
  hi.score AS "afScore", hi.poor_af AS "afPoor"
FROM household h
JOIN household_year y ON y.household_id = h.id AND y.year = $2
LEFT JOIN household_identification hi ON hi.household_id = h.id AND hi.year = $2
CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE m.labour IN ('ordinary', 'skilled')) AS labour,
    count(*) FILTER (WHERE m.health IN ('chronic', 'serious')) AS ill, count(*) FILTER (WHERE m.health = 'disabled') AS disabled
  FROM member m WHERE m.household_id = h.id) mc
LEFT JOIN (SELECT x.household_id, array_agg(DISTINCT x.rule) AS rules FROM xc_flag x
  WHERE x.year = 0 AND x.state <> 'cleared' AND x.household_id IS NOT NULL AND starts_with(x.village_code, $1) GROUP BY x.household_id) f ON f.household_id = h.id
WHERE starts_with(h.village_code, $1)
ORDER BY h.id
LIMIT $4`

/** $1 area: unregistered people (records matching no member) in the current civil-affairs and housing files of the area. */
const STRANGERS = `SELECT r.person_key AS "personKey", min(COALESCE(r.area_code, r.import_area)) AS "villageCode", max(r.id) AS "recordId",
  max(r.name_masked) AS name, max(r.id_number_masked) AS "idNumber",
  bool_or(j.registry = 'civil_affairs') AS allowance, bool_or(j.registry = 'housing_safety' AND r.fields->>'rating' IN ('C', 'D')) AS "unsafeHousing",
  jsonb_object_agg(j.registry, r.fields) AS records
FROM xc_record r
JOIN xc_import j ON j.id = r.import_id AND j.superseded_by IS NULL AND j.registry IN ('civil_affairs', 'housing_safety')
WHERE r.member_id IS NULL AND r.person_key IS NOT NULL AND starts_with(COALESCE(r.area_code, r.import_area), $1)
GROUP BY r.person_key
ORDER BY r.person_key`

/** The leads as flags: new ones open; an open one gets the new score, reasons and evidence; decided ones stay. */
const UPSERT = `INSERT INTO xc_flag (rule, subject, year, household_id, record_id, village_code, evidence, score, reasons)
SELECT u.rule, u.subject, $1, u.household_id, u.record_id, u.village_code, u.evidence::jsonb, u.score, u.reasons::jsonb
FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::float8[], $9::text[])
  AS u(rule, subject, household_id, record_id, village_code, evidence, score, reasons)
ON CONFLICT (rule, subject, year) DO UPDATE SET score = EXCLUDED.score, reasons = EXCLUDED.reasons, evidence = EXCLUDED.evidence
WHERE xc_flag.state = 'open'`

interface HouseholdRow {
  id: string
  villageCode: string
  status: 'poor' | 'lifted' | 'returned'
  income: number
  deprivations: Deprivation[]
  food_clothing_ok: boolean
  education_ok: boolean
  medical_ok: boolean
  housing_ok: boolean
  water_ok: boolean
  size: number
  attribute: string
  housingSafety: string | null
  kmToMarket: number
  labour: number
  ill: number
  disabled: number
  flags: RuleCode[]
  /** The Alkire–Foster score c_i and verdict, where the identification has run (else null). */
  afScore: number | null
  afPoor: boolean | null
}

interface StrangerRow {
  personKey: string
  villageCode: string
  recordId: string
  name: string
  idNumber: string
  allowance: boolean
  unsafeHousing: boolean
  records: Record<string, unknown>
}

export interface ScanResult {
  area: string
  year: number
  households: number
  leads: { misid_in: number; misid_out: number }
  model: ModelReport
}

const features = (h: HouseholdRow, line: number): number[] => [
  h.income / line,
  +h.food_clothing_ok, +h.education_ok, +h.medical_ok, +h.housing_ok, +h.water_ok,
  h.size, h.size > 0 ? h.labour / h.size : 0, h.ill, h.disabled,
  +(h.housingSafety === 'C' || h.housingSafety === 'D'), h.kmToMarket, +(h.attribute !== 'general'),
]

/** The registry of an area in a year as the model's rows (the caller's view: row-level security applies). */
export async function modelRows(tx: Queryable, area: string, year: number, limit: number): Promise<{ households: HouseholdRow[]; rows: ModelRow[] }> {
  const line = POVERTY_LINE[year]!
  const households = (await tx.query<HouseholdRow>(HOUSEHOLDS, [area, year, line, limit])).rows
  return { households, rows: households.map((h) => ({ id: Number(h.id), poor: h.status !== 'lifted', features: features(h, line) })) }
}

/** Households the model route reads of a larger area (a sample: the first in id order). */
export const MODEL_SAMPLE = 20_000
/** Households one scan ranks at most (a county holds fewer). */
export const SCAN_MAX = 200_000

/** Trains and evaluates the model on an area's registry of a year, at most MODEL_SAMPLE households of it (nothing is written). */
export async function evaluateModel(tx: Queryable, area: string, year: number): Promise<ModelReport> {
  return trainAndEvaluate((await modelRows(tx, area, year, MODEL_SAMPLE)).rows).report
}

/** Runs fn in one transaction (as the caller for a request, as the owner for the demo loader). */
export type TransactionRunner = <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T>

/**
 * Ranks the area's households of the year (and the unregistered people its external files name) and stores
 * the leads as misid_in / misid_out flags, as the caller (row-level security: the caller's area only). Reads
 * in one transaction, trains the model between (seconds of CPU: no transaction stays open meanwhile), writes
 * in another; `afterWrite` runs in the writing one (the audit entry).
 */
export async function scanMisidentification(
  run: TransactionRunner,
  area: string,
  year: number,
  afterWrite?: (tx: Queryable, result: ScanResult) => Promise<void>,
): Promise<ScanResult> {
  const line = POVERTY_LINE[year]!
  const { households, rows, strangers } = await run(async (tx) => ({ ...(await modelRows(tx, area, year, SCAN_MAX)), strangers: (await tx.query<StrangerRow>(STRANGERS, [area])).rows }))
  const { report, poorProbability } = trainAndEvaluate(rows)
  const out: { rule: string; subject: string; householdId: number | null; recordId: number | null; village: string; evidence: unknown; lead: Lead }[] = []
  for (const h of households) {
    const modelPoor = poorProbability?.get(Number(h.id)) ?? null
    const lead = householdLead({ status: h.status, incomeRatio: h.income / line, deprivations: h.deprivations, flags: h.flags, modelPoor, afPoor: h.afPoor })
    if (!lead) continue
    out.push({
      rule: lead.rule, subject: `h:${h.id}`, householdId: Number(h.id), recordId: null, village: h.villageCode, lead,
      evidence: { registry: { year, status: h.status, incomePerCapita: Math.round(h.income), povertyLine: line, deprivations: h.deprivations, attribute: h.attribute, housingSafety: h.housingSafety, afScore: h.afScore }, external: { flags: h.flags, modelPoor } },
    })
  }
  for (const s of strangers) {
    const lead = strangerLead(s)
    if (!lead) continue
    out.push({
      rule: lead.rule, subject: `p:${s.personKey}`, householdId: null, recordId: Number(s.recordId), village: s.villageCode, lead,
      evidence: { registry: { registered: false }, external: { name: s.name, idNumber: s.idNumber, ...s.records } },
    })
  }
  const result: ScanResult = {
    area, year, households: households.length,
    leads: { misid_in: out.filter((o) => o.rule === 'misid_in').length, misid_out: out.filter((o) => o.rule === 'misid_out').length },
    model: report,
  }
  await run(async (tx) => {
    for (let i = 0; i < out.length; i += 5000) {
      const part = out.slice(i, i + 5000)
      await tx.query(UPSERT, [
      year,
      part.map((o) => o.rule),
      part.map((o) => o.subject),
      part.map((o) => o.householdId),
      part.map((o) => o.recordId),
      part.map((o) => o.village),
      part.map((o) => JSON.stringify(o.evidence)),
      part.map((o) => o.lead.score),
      part.map((o) => JSON.stringify(o.lead.reasons)),
      ])
    }
    await afterWrite?.(tx, result)
  })
  return result
}
