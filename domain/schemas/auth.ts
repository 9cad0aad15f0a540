/** Sign-in, the session's user, CSRF tokens, password change and TOTP enrolment (/api/auth/…). */
import { Type, type Static } from 'typebox'
import { PASSWORD_MAX_LENGTH } from '../accounts.js'
import { Nullable, OneOf } from './common.js'

const TotpCode = Type.String({ pattern: '^[0-9]{6}$' })
const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH })

/** The signed-in user and what the role may do (the interface shows what the user may use). */
export const SignedInUser = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  scope: Type.String({ description: 'administrative code of the area the user sees (and everything below it)' }),
  department: Nullable(Type.String()),
  factor: OneOf(['ok', 'enrol'], { description: "'enrol': a second factor must be set up before the data can be used" }),
  can: Type.Object({
    data: Type.Boolean({ description: 'map, tiles, areas, indicators' }),
    households: Type.Boolean({ description: 'household points, details and members (masked)' }),
    reveal: Type.Boolean({ description: 'reveal one household’s names, ID numbers and phone (audited)' }),
    audit: Type.Boolean(),
    users: Type.Boolean(),
  }),
})
export type SignedInUser = Static<typeof SignedInUser>

export const CsrfToken = Type.Object({ csrfToken: Type.String({ description: 'send as the x-csrf-token header on every POST' }) })
export type CsrfToken = Static<typeof CsrfToken>

export const Session = Type.Object({ user: SignedInUser, ...CsrfToken.properties })
export type Session = Static<typeof Session>

export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 40 }), password: Password, totp: Type.Optional(TotpCode) },
  { additionalProperties: false },
)
export type LoginBody = Static<typeof LoginBody>

export const LoginFailed = Type.Object({
  error: Type.String(),
  message: Type.String(),
  totpRequired: Type.Optional(Type.Boolean({ description: 'the password was right; send the 6-digit code as totp' })),
})
export type LoginFailed = Static<typeof LoginFailed>

export const PasswordChangeBody = Type.Object({ current: Password, next: Password }, { additionalProperties: false })
export type PasswordChangeBody = Static<typeof PasswordChangeBody>

export const TotpEnrolment = Type.Object({ secret: Type.String(), uri: Type.String({ description: 'otpauth://totp/… for an authenticator app' }) })
export type TotpEnrolment = Static<typeof TotpEnrolment>

export const TotpConfirmBody = Type.Object({ code: TotpCode }, { additionalProperties: false })
export type TotpConfirmBody = Static<typeof TotpConfirmBody>
