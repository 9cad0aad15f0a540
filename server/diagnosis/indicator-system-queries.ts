/** The SQL of the indicator system routes (indicator_def and its versions, migration 0013). */

const COLUMNS = `d.code, d.name_zh AS "nameZh", d.name_en AS "nameEn", d.unit, d.level, d.direction, d.category, d.dimension, d.source,
  d.description, d.threshold_value AS "tValue", d.threshold_basis AS "tBasis", d.threshold_note_zh AS "tZh", d.threshold_note_en AS "tEn",
  d.af_bit AS "afBit", d.version`

export const INDICATOR_SYSTEM = `SELECT ${COLUMNS} FROM indicator_def d ORDER BY d.level DESC, d.af_bit NULLS LAST, d.category, d.code`
export const INDICATOR_SYSTEM_ONE = `SELECT ${COLUMNS} FROM indicator_def d WHERE d.code = $1`

/** $1 code, $2 patch (snake-case columns), $3 note: the new version (the function checks the caller's role). */
export const INDICATOR_EDIT = `SELECT indicator_def_edit($1, $2::jsonb, $3) AS version`

/** $1 code: its versions; an indicator never edited answers its current definition as version 1. */
export const INDICATOR_VERSIONS = `SELECT code, version, definition, to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "changedAt",
  changed_by AS "changedBy", note
FROM indicator_def_version WHERE code = $1
UNION ALL
SELECT d.code, d.version, indicator_def_editable(d), NULL, NULL, 'as loaded'
FROM indicator_def d WHERE d.code = $1 AND NOT EXISTS (SELECT 1 FROM indicator_def_version WHERE code = $1)
ORDER BY version DESC`
