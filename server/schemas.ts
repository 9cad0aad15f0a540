import { Type } from 'typebox'

/** The one error shape every route answers with; listed in each route's response schemas. */
export const ErrorBody = Type.Object(
  { error: Type.String(), message: Type.String() },
  { $id: 'ErrorBody', description: 'error: the HTTP status name; message: what was wrong, safe to show' },
)
