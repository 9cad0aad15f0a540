import { Type } from 'typebox'

/** The one error shape every route answers with; listed in each route's response schemas. */
export const ErrorBody = Type.Object(
  {
    error: Type.String(),
    message: Type.String(),
    code: Type.Optional(Type.String({ description: 'stable machine-readable reason, where the status alone does not say it (e.g. invalid_value, db_unavailable)' })),
  },
  { $id: 'ErrorBody', description: 'error: the HTTP status name; message: what was wrong, safe to show (English: clients show their own text by status and code)' },
)
