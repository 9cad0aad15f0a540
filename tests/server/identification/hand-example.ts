import type { Queryable } from '../../../server/db/types.js'

/**
 * A hand-computed AF example: five households of a village of their own (年 2020, line 4000, default
 * weights income 1/6, water criteria 1/24 each, clothing 1/6, schooling 1/6, insurance 1/12, chronic
 * care 1/12, housing 1/6; k = 1/3). Inserted row by row, so the registry triggers identify them.
 *
 *   A 4 people: income 3000, food/clothing not assured            c = 1/6 + 1/6 = 1/3      poor
 *   B 2 people: water unsafe from a river (4 criteria), house D   c = 4/24 + 1/6 = 1/3     poor
 *   C 3 people: one member uninsured                              c = 1/12                 not poor
 *   D 5 people: income 3500, education, chronic care, house C     c = 1/6+1/6+1/12+1/6 = 7/12  poor, severe
 *   E 1 person: nothing                                           c = 0
 * N = 15, q = 11: H = 11/15, A = (4/3 + 2/3 + 35/12) / 11 = 59/132, M0 = 59/180.
 * Censored: income 9/15, each water criterion 2/15, clothing 4/15, schooling 5/15, insurance 0,
 * chronic care 5/15, housing 7/15. Contributions (×59): income 18, water 1 each, clothing 8,
 * schooling 10, chronic care 5, housing 14. Severe 5/15, vulnerable 0, official poor A, B, D = 11/15.
 */
export const HAND = {
  township: '433124111',
  village: '433124111299',
  year: 2020,
  H: 11 / 15,
  A: 59 / 132,
  M0: 59 / 180,
  scores: { A: 1 / 3, B: 1 / 3, C: 1 / 12, D: 7 / 12, E: 0 },
  censored: {
    af_income: 9 / 15, af_water_quantity: 2 / 15, af_water_quality: 2 / 15, af_water_convenience: 2 / 15, af_water_reliability: 2 / 15,
    af_clothing: 4 / 15, af_schooling: 5 / 15, af_insurance: 0, af_chronic_care: 5 / 15, af_housing: 7 / 15,
  },
  contributions: {
    af_income: 18 / 59, af_water_quantity: 1 / 59, af_water_quality: 1 / 59, af_water_convenience: 1 / 59, af_water_reliability: 1 / 59,
    af_clothing: 8 / 59, af_schooling: 10 / 59, af_insurance: 0, af_chronic_care: 5 / 59, af_housing: 14 / 59,
  },
  severe: 5 / 15,
  vulnerable: 0,
  officialH: 11 / 15,
  ids: { A: 990001, B: 990002, C: 990003, D: 990004, E: 990005 },
} as const

interface Hh {
  key: keyof typeof HAND.ids
  size: number
  income: number
  ok?: Partial<Record<'food_clothing_ok' | 'education_ok' | 'medical_ok' | 'housing_ok' | 'water_ok', boolean>>
  water?: { source: string; difficulty: boolean }
  safety?: string
  members: { health?: string; insured?: boolean }[]
}

const HOUSEHOLDS: Hh[] = [
  { key: 'A', size: 4, income: 3000, ok: { food_clothing_ok: false }, members: [{}, {}, {}, {}] },
  { key: 'B', size: 2, income: 5000, ok: { water_ok: false, housing_ok: false }, water: { source: 'river_lake', difficulty: true }, safety: 'D', members: [{}, {}] },
  { key: 'C', size: 3, income: 5000, members: [{}, { insured: false }, {}] },
  { key: 'D', size: 5, income: 3500, ok: { education_ok: false, medical_ok: false, housing_ok: false }, safety: 'C', members: [{ health: 'chronic' }, {}, {}, {}, {}] },
  { key: 'E', size: 1, income: 9000, members: [{}] },
]

/** Adds the example's village (under FIXTURE's second township) and households, as the table owner. */
export async function insertHandExample(db: Queryable): Promise<void> {
  await db.query(
    `INSERT INTO admin_area (code, level, name, parent_code, geom, seat, rural_population)
     VALUES ($1, 'village', '手算村', $2, ST_Multi(ST_MakeEnvelope(109.54, 28.34, 109.56, 28.36, 4326)), ST_SetSRID(ST_MakePoint(109.55, 28.35), 4326), 100)`,
    [HAND.village, HAND.township],
  )
  let memberId = 9_900_000
  for (const h of HOUSEHOLDS) {
    const id = HAND.ids[h.key]
    await db.query(
      `INSERT INTO household (id, village_code, geom, size, identification_standard, attribute, main_cause, registered_year,
         housing_safety, water_source, water_difficulty)
       VALUES ($1, $2, ST_SetSRID(ST_MakePoint(109.55, 28.35), 4326), $3, 'national', 'general', 'other', 2014, $4, $5, $6)`,
      [id, HAND.village, h.size, h.safety ?? 'A', h.water?.source ?? 'tap', h.water?.difficulty ?? false],
    )
    const ok = { food_clothing_ok: true, education_ok: true, medical_ok: true, housing_ok: true, water_ok: true, ...h.ok }
    await db.query(
      `INSERT INTO household_year (household_id, year, status, income_per_capita, food_clothing_ok, education_ok, medical_ok, housing_ok, water_ok)
       VALUES ($1, $2, 'lifted', $3, $4, $5, $6, $7, $8)`,
      [id, HAND.year, h.income, ok.food_clothing_ok, ok.education_ok, ok.medical_ok, ok.housing_ok, ok.water_ok],
    )
    for (const m of h.members) {
      await db.query(
        `INSERT INTO member (id, household_id, name, sex, id_number, relation, ethnicity, birth_year, schooling, in_school, health, labour, medical_insurance)
         VALUES ($1, $2, '测试', 'F', '433124197001010020', 'other', 'Miao', 1970, 'primary', NULL, $3, 'ordinary', $4)`,
        [++memberId, id, m.health ?? 'healthy', m.insured ?? true],
      )
    }
  }
}
