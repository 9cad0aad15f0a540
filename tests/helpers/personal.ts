import { holdsPersonal } from '../../domain/masking.js'

const HOUSEHOLD_REF = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

/**
 * Whether an answer holds something shaped like an ID number or a mobile number, household refs
 * left out: the last group of a UUID is twelve hex digits, and about one ref in a few thousand has
 * eleven decimal digits there that read as a phone number (CI once failed on "…-a18780055453").
 */
export function holdsPersonalBesidesRefs(text: string): boolean {
  return holdsPersonal(text.replace(HOUSEHOLD_REF, ' '))
}
