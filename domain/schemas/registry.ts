/**
 * The registry workflow's API (issue 16; ../shared/api-contract.md "Registry workflow"): the household list,
 * change requests with their review steps, objections during public notices, history, assistance measures,
 * and the validation (400) and stale-version (409) bodies.
 */
import { Type, type Static } from 'typebox'
import { CHANGE_KINDS, CHANGE_STATES, MEASURE_FAMILIES, MEASURE_STATUSES, STEP_ACTIONS, STEP_DECISIONS } from '../registry/enums.js'
import { HOUSEHOLD_STATUSES } from '../codes.js'
import { ROLES } from '../roles.js'
import { AreaCode, HouseholdRef, Nullable, OneOf, UtcTime, UUID_PATTERN, Year } from './common.js'

// ---- household list -------------------------------------------------------------------------------------------
export const HOUSEHOLD_SORTS = ['village', '-village', 'status', '-status', 'size', '-size', 'income', '-income', 'updated', '-updated'] as const
const CommaList = (description: string) => Type.Optional(Type.String({ maxLength: 200, pattern: '^[a-z_,]*$', description }))

export const HouseholdListQuery = Type.Object(
  {
    area: AreaCode,
    year: Year,
    status: CommaList('comma list of statuses (poor, lifted, returned)'),
    cause: CommaList('comma list of main causes'),
    gap: CommaList('comma list of 两不愁三保障 gaps (food_clothing, education, medical, housing, water): households with any of them'),
    q: Type.Optional(Type.String({ maxLength: 40, description: 'part of the village name or code, or the start of a household ref' })),
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
    pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    sort: OneOf(HOUSEHOLD_SORTS, { default: 'village', description: 'a leading - sorts descending; ties by ref' }),
  },
  { additionalProperties: false },
)
export type HouseholdListQuery = Static<typeof HouseholdListQuery>

export const HouseholdListItem = Type.Object({
  ref: Type.String(),
  villageCode: Type.String(),
  villageName: Type.String(),
  year: Type.Integer(),
  status: Type.String(),
  mainCause: Type.String(),
  attribute: Type.String(),
  size: Type.Integer(),
  incomePerCapita: Type.Number(),
  gaps: Type.Array(Type.String()),
  version: Type.Integer(),
  updatedAt: UtcTime(),
  outsideBoundary: Type.Boolean({ description: 'kept outside its village outline with a reason' }),
  openRequests: Type.Integer({ description: 'pending or rejected change requests on this household' }),
})
export type HouseholdListItem = Static<typeof HouseholdListItem>
export const HouseholdList = Type.Object({ total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer(), items: Type.Array(HouseholdListItem) })
export type HouseholdList = Static<typeof HouseholdList>

// ---- change requests ------------------------------------------------------------------------------------------
export const ChangeKind = OneOf(CHANGE_KINDS)
export const ChangeState = OneOf(CHANGE_STATES)

const Changes = Type.Record(Type.String(), Type.Unknown(), { description: 'the proposed values; their shape per kind is in server/registry/README.md (domain/registry/changes.ts)' })
const Attachments = Type.Array(Type.String({ pattern: UUID_PATTERN }), { maxItems: 10, description: 'refs of uploaded photos (POST /api/photos) of the household or its village' })

export const ChangeRequestBody = Type.Object(
  {
    kind: ChangeKind,
    target: Type.Optional(HouseholdRef),
    baseVersion: Type.Optional(Type.Integer({ minimum: 1, description: "the household's version the change is based on (all kinds but household.create)" })),
    changes: Changes,
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    attachments: Type.Optional(Attachments),
  },
  { additionalProperties: false },
)
export type ChangeRequestBody = Static<typeof ChangeRequestBody>

export const ApproveBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false })
export const RejectBody = Type.Object({ comment: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false })
export const ResubmitBody = Type.Object(
  {
    changes: Type.Optional(Changes),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    baseVersion: Type.Optional(Type.Integer({ minimum: 1 })),
    attachments: Type.Optional(Attachments),
  },
  { additionalProperties: false },
)
export const WithdrawBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false })
export const ObjectionBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 1000, description: 'the objection as received (who objected stays in the text if given)' }) }, { additionalProperties: false })
export const ResolveBody = Type.Object({ resolution: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false })
export type ApproveBody = Static<typeof ApproveBody>
export type RejectBody = Static<typeof RejectBody>
export type ResubmitBody = Static<typeof ResubmitBody>
export type ObjectionBody = Static<typeof ObjectionBody>
export type ResolveBody = Static<typeof ResolveBody>

export const ChangeRequestParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,9}$' }) })
export const ObjectionParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,9}$' }), objection: Type.String({ pattern: '^[0-9]{1,9}$' }) })

export const QUEUES = ['waiting', 'mine', 'area'] as const
export const ChangeRequestListQuery = Type.Object(
  {
    queue: OneOf(QUEUES, { default: 'waiting', description: 'waiting: requests at a step the caller may take; mine: the caller\'s own; area: every request of the caller\'s area' }),
    state: Type.Optional(ChangeState),
    kind: Type.Optional(ChangeKind),
    household: Type.Optional(HouseholdRef),
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
    pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
)
export type ChangeRequestListQuery = Static<typeof ChangeRequestListQuery>

const Person = Type.Object({ id: Nullable(Type.Integer()), username: Type.String(), role: Type.String() })

export const ChainStep = Type.Object({
  no: Type.Integer({ description: '1-based position in the chain' }),
  action: OneOf(STEP_ACTIONS),
  role: OneOf(ROLES, { description: 'who takes the step (at the level of the household: its village, township or county)' }),
  noticeDays: Nullable(Type.Integer(), { description: 'notice steps: the period in days (NOTICE_DAYS)' }),
})
export type ChainStep = Static<typeof ChainStep>

export const StepRecord = Type.Object({
  no: Type.Integer(),
  action: OneOf(STEP_ACTIONS),
  decision: OneOf(STEP_DECISIONS),
  by: Nullable(Person, { description: 'null for a notice period that passed' }),
  at: UtcTime(),
  comment: Nullable(Type.String()),
  round: Type.Integer({ description: 'submission round: 1, then +1 at each resubmission' }),
})
export type StepRecord = Static<typeof StepRecord>

export const Objection = Type.Object({
  id: Type.Integer(),
  step: Type.Integer(),
  text: Type.String(),
  recordedBy: Person,
  at: UtcTime(),
  resolution: Nullable(Type.String()),
  resolvedBy: Nullable(Person),
  resolvedAt: Nullable(UtcTime()),
})
export type Objection = Static<typeof Objection>

export const ChangeRequestSummary = Type.Object({
  id: Type.Integer(),
  kind: ChangeKind,
  state: ChangeState,
  target: Nullable(Type.String({ description: 'household ref (household.create: the new household once applied)' })),
  areaCode: Type.String({ description: "the household's village" }),
  villageName: Type.String(),
  reason: Type.String(),
  proposedBy: Person,
  proposedAt: UtcTime(),
  updatedAt: UtcTime(),
  currentStep: Nullable(
    Type.Object({
      no: Type.Integer(),
      action: OneOf(STEP_ACTIONS),
      role: Type.String(),
      noticeEndsAt: Nullable(UtcTime()),
      openObjections: Type.Integer(),
    }),
    { description: 'pending requests: the step they wait at' },
  ),
})
export type ChangeRequestSummary = Static<typeof ChangeRequestSummary>

export const ChangeRequestList = Type.Object({ total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer(), items: Type.Array(ChangeRequestSummary) })
export type ChangeRequestList = Static<typeof ChangeRequestList>

export const ChangeRequest = Type.Object({
  ...ChangeRequestSummary.properties,
  baseVersion: Nullable(Type.Integer()),
  changes: Changes,
  attachments: Type.Array(Type.Object({ ref: Type.String(), url: Type.String() })),
  chain: Type.Array(ChainStep),
  steps: Type.Array(StepRecord, { description: 'decisions so far, oldest first (every round)' }),
  objections: Type.Array(Objection),
  round: Type.Integer(),
  appliedAt: Nullable(UtcTime()),
  appliedVersion: Nullable(Type.Integer({ description: "the household's version after this request was applied" })),
  before: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: "the household's current values of the fields the request changes (pending) or their values before it (applied)" })),
  may: Type.Object(
    { approve: Type.Boolean(), reject: Type.Boolean(), resubmit: Type.Boolean(), withdraw: Type.Boolean(), object: Type.Boolean(), resolve: Type.Boolean() },
    { description: 'what the caller may do with it now' },
  ),
})
export type ChangeRequest = Static<typeof ChangeRequest>

// ---- history -----------------------------------------------------------------------------------------------------
export const HistoryEntry = Type.Object({
  at: UtcTime(),
  requestId: Type.Integer(),
  kind: ChangeKind,
  version: Type.Integer({ description: "the household's version this change made" }),
  proposedBy: Type.String(),
  approvedBy: Type.Array(Type.String(), { description: 'who approved, step by step (notice periods as 公示)' }),
  steps: Type.Array(Type.Object({ no: Type.Integer(), action: OneOf(STEP_ACTIONS), by: Nullable(Type.String()), at: UtcTime(), comment: Nullable(Type.String()) })),
  field: Type.String({ description: 'a household field, `year.<year>.<field>` of a registry year, `members[<no>].<field>` or `measures[<id>].<field>`' }),
  before: Type.Unknown(),
  after: Type.Unknown(),
})
export type HistoryEntry = Static<typeof HistoryEntry>
export const History = Type.Array(HistoryEntry)

// ---- assistance measures (帮扶计划) --------------------------------------------------------------------------------
export const Measure = Type.Object({
  id: Type.Integer(),
  family: OneOf(MEASURE_FAMILIES),
  title: Nullable(Type.String()),
  cadre: Type.String({ description: '帮扶责任人' }),
  amountYuan: Type.Number(),
  startDate: Type.String(),
  targetDate: Type.String(),
  status: OneOf(MEASURE_STATUSES),
  notes: Type.Array(Type.Object({ at: UtcTime(), by: Type.String(), text: Type.String() }), { description: 'progress notes, oldest first' }),
  updatedAt: UtcTime(),
})
export type Measure = Static<typeof Measure>
export const Measures = Type.Object({ ref: Type.String(), version: Type.Integer(), measures: Type.Array(Measure) })
export type Measures = Static<typeof Measures>

/** GET /api/registry/chains: the review chain of each kind (the configuration table). */
export const Chains = Type.Object({
  noticeDays: Type.Integer(),
  chains: Type.Array(Type.Object({ kind: ChangeKind, steps: Type.Array(ChainStep) })),
})
export type Chains = Static<typeof Chains>

// ---- error bodies ---------------------------------------------------------------------------------------------------
export const FieldMessage = Type.Object({ zh: Type.String(), en: Type.String() })
export const ValidationErrorBody = Type.Object(
  {
    error: Type.String(),
    message: Type.String(),
    code: Type.Optional(Type.String()),
    fields: Type.Optional(
      Type.Array(Type.Object({ field: Type.String({ description: 'path into the request: reason, changes.mainCause, changes.members[1].idNumber' }), message: FieldMessage }), {
        description: 'every invalid field; absent only for a body that is not JSON at all',
      }),
    ),
  },
  { description: '400: what is wrong, per field, in Chinese and English (domain/registry/validation.ts); nothing was written' },
)
export type ValidationErrorBody = Static<typeof ValidationErrorBody>

export const ConflictBody = Type.Object(
  {
    error: Type.String(),
    message: Type.String(),
    code: Type.Optional(Type.String()),
    current: Nullable(Type.Record(Type.String(), Type.Unknown()), { description: "the household's current values and version (stale version), or the request's current state" }),
  },
  { description: '409: the change was based on an older version, or the request moved on meanwhile; nothing was changed' },
)
export type ConflictBody = Static<typeof ConflictBody>

export const HouseholdStatus = OneOf(HOUSEHOLD_STATUSES)
