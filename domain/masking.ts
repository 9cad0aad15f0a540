/**
 * Display masking (GB/T 35273-2020 §7.1–7.2 style): the same rules as the database's
 * povmap_mask_* functions (migration 0004), which fill the masked columns the request role reads.
 * Also the patterns that must never reach a log line.
 */

export function maskName(v: string): string {
  const chars = [...v]
  if (chars.length === 0) return v
  return chars[0]! + '*'.repeat(Math.max(chars.length - 1, 1))
}

/**
 * An ID number keeps its area (first 6) and its last two characters (a sequence digit and the check digit):
 * 433124**********1X. The birth date and the rest of the sequence go: beside the birth year and sex that
 * the member list shows, the last four left a few dozen candidates (migration 0010).
 */
export function maskIdNumber(v: string): string {
  return v.length >= 15 ? v.slice(0, 6) + '*'.repeat(v.length - 8) + v.slice(-2) : '*'.repeat(v.length)
}

export function maskPhone(v: string): string {
  return v.length >= 7 ? v.slice(0, 3) + '*'.repeat(v.length - 7) + v.slice(-4) : '*'.repeat(v.length)
}

/** An 18-character resident ID number (GB 11643: region, birth date, sequence, check digit). */
export const ID_NUMBER_PATTERN = /(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9A-Za-z])/g
/** A mainland mobile number, with or without +86. */
export const PHONE_PATTERN = /(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9])/g

/** Masks every ID number and mobile number inside free text (log lines, error messages). */
export function scrubPersonal(text: string): string {
  return text.replace(ID_NUMBER_PATTERN, (m) => maskIdNumber(m)).replace(PHONE_PATTERN, (m) => maskPhone(m))
}

export function holdsPersonal(text: string): boolean {
  ID_NUMBER_PATTERN.lastIndex = 0
  PHONE_PATTERN.lastIndex = 0
  const found = ID_NUMBER_PATTERN.test(text) || PHONE_PATTERN.test(text)
  ID_NUMBER_PATTERN.lastIndex = 0
  PHONE_PATTERN.lastIndex = 0
  return found
}
