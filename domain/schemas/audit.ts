/** The audit log as auditors read it (GET /api/audit). */
import { Type, type Static } from 'typebox'
import { ADMIN_CODE_PATTERN } from '../admin-codes.js'
import { Nullable, OneOf, UtcTime } from './common.js'

export const AUDIT_OUTCOMES = ['ok', 'denied', 'failed'] as const

export const AuditLogEntry = Type.Object({
  id: Type.Integer(),
  at: UtcTime(),
  user: Nullable(Type.String()),
  role: Nullable(Type.String()),
  action: Type.String(),
  outcome: Type.String(),
  area: Nullable(Type.String()),
  target: Nullable(Type.String()),
  detail: Type.Record(Type.String(), Type.Unknown()),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
})
export type AuditLogEntry = Static<typeof AuditLogEntry>

export const AuditLogPage = Type.Object({
  items: Type.Array(AuditLogEntry),
  next: Nullable(Type.Integer(), { description: 'pass as `before` for the next (older) page' }),
})
export type AuditLogPage = Static<typeof AuditLogPage>

export const AuditLogQuery = Type.Object(
  {
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'username, exact' })),
    area: Type.Optional(Type.String({ pattern: ADMIN_CODE_PATTERN, description: 'this area and everything below it' })),
    action: Type.Optional(Type.String({ pattern: '^[a-z][a-z_.]*$', maxLength: 40 })),
    outcome: Type.Optional(OneOf(AUDIT_OUTCOMES)),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'entries older than this id' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
)
export type AuditLogQuery = Static<typeof AuditLogQuery>
