import { generate, generateSecret, generateURI, verify } from 'otplib'

/** RFC 6238 with the authenticator-app defaults: SHA-1, 6 digits, 30 s; one step of clock drift either way. */
const TOLERANCE_S = 30

export function newTotpSecret(): string {
  return generateSecret()
}

export function totpUri(secret: string, username: string): string {
  return generateURI({ issuer: 'povmap 精准扶贫一张图', label: username, secret })
}

/**
 * The time step the code matched, or null. A step at or before `lastStep` (the one used at the last
 * sign-in) is refused: a code works once (RFC 6238 §5.2).
 */
export async function checkTotp(secret: string, code: string, lastStep: number | null): Promise<number | null> {
  if (!/^[0-9]{6}$/.test(code)) return null
  try {
    const r = await verify({ secret, token: code, epochTolerance: TOLERANCE_S, ...(lastStep === null ? {} : { afterTimeStep: lastStep }) })
    return r.valid && 'timeStep' in r ? r.timeStep : null
  } catch {
    return null
  }
}

/** The current code (tests and the demo print-out). */
export function totpNow(secret: string, epochSeconds?: number): Promise<string> {
  return generate({ secret, ...(epochSeconds === undefined ? {} : { epoch: epochSeconds }) })
}
