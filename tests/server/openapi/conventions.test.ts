import { describe, expect, it } from 'vitest'
import { addOperationIds, CSRF_HEADER, operationIdFor, securityFor, securitySchemes, SESSION_COOKIE } from '../../../server/openapi/conventions.js'

describe('operationIdFor', () => {
  it.each([
    ['GET', '/api/health', 'getHealth'],
    ['POST', '/api/auth/totp/confirm', 'postAuthTotpConfirm'],
    ['GET', '/api/account-requests', 'getAccountRequests'],
    ['POST', '/api/account-requests/:id/approve', 'postAccountRequestsApprove'],
    ['GET', '/api/areas/{code}/children', 'getAreasChildren'],
    ['GET', '/api/areas/:code/households.csv', 'getAreasHouseholdsCsv'],
    ['GET', '/api/photos/:ref', 'getPhotosByRef'],
    ['GET', '/api/households/:id(^[0-9a-f-]+$)', 'getHouseholdsById'],
    ['GET', '/tiles/:layer/:z/:x/:y', 'getTilesByLayerZXY'],
    ['GET', '/tiles/terrain/{z}/{x}/{y}', 'getTilesTerrainByZXY'],
    ['GET', '/styles/povmap.json', 'getStylesPovmapJson'],
    ['DELETE', '/apiary/:id', 'deleteApiaryById'],
  ])('%s %s → %s', (method, url, id) => {
    expect(operationIdFor(method, url)).toBe(id)
  })

  it('is the same for the Fastify and the OpenAPI form of a URL', () => {
    expect(operationIdFor('get', '/api/areas/:code/stats')).toBe(operationIdFor('GET', '/api/areas/{code}/stats'))
  })
})

describe('securityFor', () => {
  it('a public read needs nothing; a public state change (sign-in) its CSRF token', () => {
    expect(securityFor(['GET'], { access: 'public' })).toBeUndefined()
    expect(securityFor(['POST'], { access: 'public', csrf: 'login' })).toEqual([{ [CSRF_HEADER]: [] }])
  })

  it('any other route needs the session cookie, and the CSRF header to change state', () => {
    expect(securityFor(['GET'], { access: 'data' })).toEqual([{ [SESSION_COOKIE]: [] }])
    expect(securityFor(['POST'], { access: 'signed-in' })).toEqual([{ [SESSION_COOKIE]: [], [CSRF_HEADER]: [] }])
    expect(securityFor(['DELETE'], { access: 'admin', csrf: false })).toEqual([{ [SESSION_COOKIE]: [] }])
    // Deny by default: a route whose access is not known needs a session.
    expect(securityFor(['GET'], undefined)).toEqual([{ [SESSION_COOKIE]: [] }])
  })

  it('names the session cookie as the server sets it', () => {
    expect(securitySchemes('__Host-povmap_sid')[SESSION_COOKIE]).toMatchObject({ type: 'apiKey', in: 'cookie', name: '__Host-povmap_sid' })
    expect(securitySchemes('povmap_sid')[CSRF_HEADER]).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-csrf-token' })
  })
})

describe('addOperationIds', () => {
  it('keeps an explicit operationId, derives the others, one copy per method of a shared operation', () => {
    const shared = { summary: 'both' }
    const paths = { '/api/things': { get: shared, post: shared }, '/api/things/{id}': { get: { operationId: 'getThing' } } }
    addOperationIds(paths)
    expect(paths['/api/things'].get).toEqual({ operationId: 'getThings', summary: 'both' })
    expect(paths['/api/things'].post).toEqual({ operationId: 'postThings', summary: 'both' })
    expect(paths['/api/things/{id}'].get.operationId).toBe('getThing')
  })

  it('refuses two operations with one operationId, naming both', () => {
    expect(() => addOperationIds({ '/api/a': { get: { operationId: 'getB' } }, '/api/b': { get: {} } })).toThrow(/operationId getB of GET \/api\/b is also that of GET \/api\/a/)
  })
})
