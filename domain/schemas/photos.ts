/** Field photos of villages, households and projects (/api/photos). */
import { Type, type Static } from 'typebox'
import { CODE_LENGTHS } from '../admin-codes.js'
import { AreaCode, HouseholdRef, lonLat, Nullable, OneOf, UtcTime, UUID_PATTERN } from './common.js'

export const PHOTO_SUBJECTS = ['village', 'household', 'project'] as const
export const PhotoSubject = OneOf(PHOTO_SUBJECTS)
/** Characters of a caption (sent URI-encoded in this header: up to 12 characters for each). */
export const MAX_CAPTION = 200
export const CAPTION_HEADER = 'x-photo-caption'

export const Photo = Type.Object({
  ref: Type.String(),
  subject: PhotoSubject,
  areaCode: Type.String({ description: 'the village (village and household photos), or the project’s village or county' }),
  household: Nullable(Type.String({ description: 'household ref (household photos; registry roles only)' })),
  project: Nullable(Type.Integer()),
  mediaType: Type.String(),
  bytes: Type.Integer(),
  caption: Nullable(Type.String()),
  at: Nullable(lonLat('[lon, lat] WGS84 where it was taken, as sent by the device')),
  createdAt: UtcTime('UTC, ISO 8601'),
  url: Type.String({ description: 'GET it for the image bytes' }),
})
export type Photo = Static<typeof Photo>

export const PhotoParams = Type.Object({ ref: Type.String({ pattern: UUID_PATTERN, description: 'opaque id (UUID)' }) })

export const PhotoUploadQuery = Type.Object(
  {
    area: Type.Optional(Type.String({ pattern: `^[0-9]{${CODE_LENGTHS.village}}$`, description: 'village code: a photo of the village' })),
    household: Type.Optional(HouseholdRef),
    project: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  },
  { additionalProperties: false },
)
export type PhotoUploadQuery = Static<typeof PhotoUploadQuery>

export const PhotoUploadHeaders = Type.Object({
  [CAPTION_HEADER]: Type.Optional(
    Type.String({ minLength: 1, maxLength: MAX_CAPTION * 12, description: `a caption of up to ${MAX_CAPTION} characters, URI-encoded UTF-8 (encodeURIComponent)` }),
  ),
})

export const PhotoListQuery = Type.Object(
  { area: AreaCode, subject: Type.Optional(PhotoSubject), limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) },
  { additionalProperties: false },
)
