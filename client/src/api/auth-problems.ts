/**
 * What to tell the user when sign-in or second-factor enrolment fails, as an i18n key (Chinese and
 * English strings in i18n/), from the status and the API's answer — never the server's English text.
 */
export interface Problem {
  key: string
  /** Sign-in: the password was right and a 6-digit code is needed (or was wrong). */
  totpRequired: boolean
}

export function signInProblem(status: number, body: { totpRequired?: boolean }, sentCode: boolean): Problem {
  if (status === 401 && body.totpRequired) return { key: sentCode ? 'signIn.codeWrong' : 'signIn.codeNeeded', totpRequired: true }
  if (status === 401) return { key: 'signIn.failed', totpRequired: false }
  if (status === 429) return { key: 'signIn.tooMany', totpRequired: false }
  if (status === 400) return { key: 'signIn.invalid', totpRequired: false }
  return { key: 'signIn.unavailable', totpRequired: false }
}

export function enrolProblem(status: number, step: 'enrol' | 'confirm'): Problem {
  const problem = (key: string) => ({ key, totpRequired: false })
  if (status === 401) return problem('totp.signedOut')
  if (status === 409) return problem('totp.already')
  if (status === 429) return problem('signIn.tooMany')
  if (status === 400 && step === 'confirm') return problem('totp.codeMismatch')
  return problem('signIn.unavailable')
}

/** A base32 secret in groups of four, easier to type into an authenticator app. */
export function groupSecret(secret: string): string {
  return (secret.replace(/\s+/g, '').match(/.{1,4}/g) ?? []).join(' ')
}

/** Six digits, spaces and dashes dropped (codes are often typed or pasted as "123 456"). */
export function normaliseCode(input: string): string | null {
  const digits = input.replace(/[\s-]/g, '')
  return /^[0-9]{6}$/.test(digits) ? digits : null
}
