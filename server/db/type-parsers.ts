/**
 * Both drivers return the same JS types: counts (int8) and numeric as numbers.
 * Everything povmap stores fits a double (counts, money in yuan, areas); ids stay below 2^53.
 */
export const INT8_OID = 20
export const NUMERIC_OID = 1700

export function parseNumber(v: string): number {
  return Number(v)
}
