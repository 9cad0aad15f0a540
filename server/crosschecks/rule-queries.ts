/**
 * The statement of each cross-check rule (domain/crosschecks/rules.ts declares them), run after an import of
 * its registry with $1 = the import id. Each inserts the rule's flags for the import's matched records (or, for
 * the absence rules, for the members of the import's area missing from the registry's current imports),
 * as the caller: row-level security limits them to the caller's area. A subject flagged before (any state)
 * is not flagged again. Evidence holds the registry's side and the external record's side, masked.
 */
import type { RuleCode } from '../../domain/crosschecks/rules.js'
import { ACTIVE_COMPANY_STATES, CAR_TYPES, EMPLOYEE_PENSION_SCHEMES } from '../../domain/crosschecks/registries.js'

export type CrosscheckRuleCode = Exclude<RuleCode, 'misid_in' | 'misid_out'>

const list = (values: readonly string[]) => values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')

const EXTERNAL = `jsonb_build_object('name', r.name_masked, 'idNumber', r.id_number_masked) || r.fields`
const LATEST_YEAR = `LEFT JOIN LATERAL (SELECT y.year, y.status, y.income_per_capita FROM household_year y WHERE y.household_id = h.id ORDER BY y.year DESC LIMIT 1) y ON true`
const HOUSEHOLD_SIDE = `'year', y.year, 'status', y.status, 'incomePerCapita', round(y.income_per_capita::numeric)::float8, 'attribute', h.attribute`
const MEMBER_SIDE = `'member', m.name_masked, 'relation', m.relation, 'birthYear', m.birth_year`

/** A matched record of the import meeting `condition` flags its member once. */
function presence(code: CrosscheckRuleCode, registrySide: string, condition: string): string {
  return `INSERT INTO xc_flag (rule, subject, household_id, member_id, record_id, import_id, village_code, evidence)
SELECT DISTINCT ON (r.member_id) '${code}', 'm:' || r.member_id, r.household_id, r.member_id, r.id, r.import_id, r.village_code,
  jsonb_build_object('registry', jsonb_build_object(${MEMBER_SIDE}, ${registrySide}), 'external', ${EXTERNAL})
FROM xc_record r
JOIN member m ON m.id = r.member_id
JOIN household h ON h.id = r.household_id
${LATEST_YEAR}
WHERE r.import_id = $1 AND r.member_id IS NOT NULL AND (${condition})
ORDER BY r.member_id, r.id
ON CONFLICT (rule, subject, year) DO NOTHING`
}

/**
 * A member of the import's area whom the registry says `expected` and who has no record meeting `present` in
 * any current import of the registry; the member's latest record, where there is one that does not meet it
 * (暂停参保, 休学), is the evidence. Set-based (an anti-join by hash), so that it does not depend on the
 * planner's statistics of records written moments ago in the same transaction.
 */
function absence(code: CrosscheckRuleCode, registry: string, expected: string, registrySide: string, present: string): string {
  return `INSERT INTO xc_flag (rule, subject, household_id, member_id, record_id, import_id, village_code, evidence)
SELECT '${code}', 'm:' || m.id, h.id, m.id, r.id, i.id, h.village_code,
  jsonb_build_object('registry', jsonb_build_object(${MEMBER_SIDE}, ${registrySide}),
    'external', COALESCE(${EXTERNAL}, jsonb_build_object('record', NULL, 'importedAt', to_char(i.imported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'))))
FROM xc_import i
JOIN household h ON starts_with(h.village_code, i.area_code)
JOIN member m ON m.household_id = h.id
LEFT JOIN (
  SELECT DISTINCT ON (r.member_id) r.member_id, r.id, r.name_masked, r.id_number_masked, r.fields, bool_or(${present}) OVER (PARTITION BY r.member_id) AS present
  FROM xc_record r JOIN xc_import j ON j.id = r.import_id AND j.superseded_by IS NULL AND j.registry = '${registry}'
  WHERE r.member_id IS NOT NULL
  ORDER BY r.member_id, r.id DESC
) r ON r.member_id = m.id
WHERE i.id = $1 AND (${expected}) AND r.present IS NOT TRUE
ON CONFLICT (rule, subject, year) DO NOTHING`
}

export const RULE_SQL: Readonly<Record<CrosscheckRuleCode, string>> = {
  vehicle_owner: presence('vehicle_owner', HOUSEHOLD_SIDE, `r.fields->>'vehicleType' IN (${list(CAR_TYPES)}) AND r.fields->>'state' = '正常'`),
  company_officer: presence('company_officer', HOUSEHOLD_SIDE, `r.fields->>'state' IN (${list(ACTIVE_COMPANY_STATES)})`),
  public_payroll: presence('public_payroll', `'labour', m.labour, 'migrantMonths', m.migrant_months`, 'true'),
  employee_pension: presence(
    'employee_pension',
    `'labour', m.labour, 'pension', m.pension`,
    `r.fields->>'scheme' IN (${list(EMPLOYEE_PENSION_SCHEMES)}) AND r.fields->>'state' IN ('正常参保', '领取待遇')`,
  ),
  deceased_listed: presence('deceased_listed', `'health', m.health`, `r.fields->>'change' = '死亡'`),
  migrated_out: presence('migrated_out', `'migrantMonths', m.migrant_months`, `r.fields->>'change' = '户口迁出'`),
  assistance_mismatch: presence('assistance_mismatch', HOUSEHOLD_SIDE, `h.attribute = 'general'`),
  housing_mismatch: presence(
    'housing_mismatch',
    `'housingSafety', h.housing_safety, 'housingStructure', h.housing_structure`,
    `r.fields->>'rating' IN ('C', 'D') AND COALESCE(h.housing_safety, 'A') IN ('A', 'B')`,
  ),
  uninsured: absence('uninsured', 'medical_insurance', 'm.medical_insurance', `'medicalInsurance', m.medical_insurance`, `r.fields->>'state' = '参保缴费'`),
  pupil_not_enrolled: absence(
    'pupil_not_enrolled',
    'school_rolls',
    `m.in_school IN ('primary', 'junior')`,
    `'inSchool', m.in_school`,
    `r.fields->>'state' = '在读'`,
  ),
}
