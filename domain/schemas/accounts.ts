/** Accounts (province administrators) and the four-eyes requests on them (/api/users, /api/account-requests). */
import { Type, type Static } from 'typebox'
import { ACCOUNT_REQUEST_KINDS, ACCOUNT_REQUEST_STATES, PASSWORD_MAX_LENGTH, USERNAME_PATTERN } from '../accounts.js'
import { DEPARTMENTS, ROLES } from '../roles.js'
import { ADMIN_CODE_PATTERN } from '../admin-codes.js'
import { Nullable, OneOf, UtcTime } from './common.js'

export const Account = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  scope: Type.String(),
  department: Nullable(Type.String()),
  totpEnabled: Type.Boolean(),
  disabled: Type.Boolean(),
  locked: Type.Boolean(),
  lastLoginAt: Nullable(Type.String()),
})
export type Account = Static<typeof Account>

export const NewAccountBody = Type.Object(
  {
    username: Type.String({ pattern: USERNAME_PATTERN }),
    displayName: Type.String({ minLength: 1, maxLength: 80 }),
    role: OneOf(ROLES),
    scope: Type.String({ pattern: ADMIN_CODE_PATTERN }),
    department: Type.Optional(OneOf(DEPARTMENTS)),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH, description: 'required, except for the roles that are requests (none then)' })),
  },
  { additionalProperties: false },
)
export type NewAccountBody = Static<typeof NewAccountBody>

export const CreatedAccount = Type.Object({ id: Type.Integer() })

/** An account request as the API shows it (four eyes on accounts, migration 0010). */
export const AccountRequest = Type.Object(
  {
    id: Type.Integer(),
    kind: OneOf(ACCOUNT_REQUEST_KINDS),
    state: OneOf(ACCOUNT_REQUEST_STATES),
    username: Type.String(),
    displayName: Type.String(),
    role: Type.String(),
    scope: Type.String({ description: 'the account’s area' }),
    department: Nullable(Type.String()),
    userId: Nullable(Type.Integer(), { description: 'the account: the one to disable, or the one an approved creation made (null until then)' }),
    requestedBy: Type.String(),
    requestedAt: UtcTime(),
    decidedBy: Nullable(Type.String()),
    decidedAt: Nullable(UtcTime()),
  },
  { description: 'an account to create or an auditor to disable, waiting for (or decided by) a second person' },
)
export type AccountRequest = Static<typeof AccountRequest>

export const AccountRequestQuery = Type.Object(
  { state: OneOf(ACCOUNT_REQUEST_STATES, { default: 'pending' }), limit: Type.Integer({ minimum: 1, maximum: 200, default: 100 }) },
  { additionalProperties: false },
)

export const AccountDecision = Type.Object({
  request: AccountRequest,
  initialPassword: Type.Optional(
    Type.String({
      description:
        'approved creation only: the new account’s first password, shown to the approver this once (never stored in clear); hand it to the account’s holder, who changes it (POST /api/auth/password)',
    }),
  ),
})
export type AccountDecision = Static<typeof AccountDecision>
