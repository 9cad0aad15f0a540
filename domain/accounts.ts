/** Accounts: the rules of usernames and passwords, and the four-eyes requests on accounts (migration 0010). */

export const PASSWORD_MIN_LENGTH = 12
export const PASSWORD_MAX_LENGTH = 128

/** Lower-case letters, digits, dots, dashes and underscores; 3 to 40 characters. */
export const USERNAME_PATTERN = '^[a-z0-9][a-z0-9._-]{2,39}$'

export const ACCOUNT_REQUEST_KINDS = ['create', 'disable', 'totp_reset'] as const
export type AccountRequestKind = (typeof ACCOUNT_REQUEST_KINDS)[number]
export const ACCOUNT_REQUEST_STATES = ['pending', 'approved', 'rejected'] as const
export type AccountRequestState = (typeof ACCOUNT_REQUEST_STATES)[number]
