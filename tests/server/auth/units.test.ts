import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { holdsPersonal, maskIdNumber, maskName, maskPhone, scrubPersonal } from '../../../domain/masking.js'
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from '../../../server/auth/passwords.js'
import { checkTotp, newTotpSecret, totpNow } from '../../../server/auth/totp.js'
import { defaultAccess, roleAllows } from '../../../server/auth/roles.js'
import { ROLES } from '../../../domain/roles.js'
import { scrubbingDestination } from '../../../server/infra/logging.js'
import { holdsPersonalBesidesRefs } from '../../helpers/personal.js'

describe('masking', () => {
  it('masks as GB/T 35273 examples show: 433124**********34 (area and last two), 138****5678, 张*', () => {
    expect(maskIdNumber('433124198001011234')).toBe('433124**********34')
    expect(maskIdNumber('43312419800101001X')).toBe('433124**********1X')
    expect(maskPhone('13812345678')).toBe('138****5678')
    expect(maskName('张三')).toBe('张*')
    expect(maskName('欧阳娜娜')).toBe('欧***')
    expect(maskName('龙')).toBe('龙*')
    expect(maskIdNumber('12345')).toBe('*****')
  })

  it('scrubs ID numbers and mobile numbers anywhere in text, and nothing that only looks long', () => {
    const line = '{"url":"/api/search?q=43312419800101001X&tel=+86 13912345678","msg":"dup (13812345678)","code":"433124110226","t":1764000000000}'
    const out = scrubPersonal(line)
    expect(out).toContain('433124**********1X')
    expect(out).toContain('5678')
    expect(out).not.toMatch(/13812345678|13912345678|43312419800101001X/)
    expect(out).toContain('433124110226')
    expect(out).toContain('1764000000000')
    expect(holdsPersonal(out)).toBe(false)
    expect(holdsPersonal(line)).toBe(true)
  })

  it('the tests’ detector leaves household refs out, and nothing else', () => {
    const ref = '0c5f2e1a-9b3d-4e7f-8a21-a18780055453'
    expect(holdsPersonal(`${ref},433124`)).toBe(true)
    expect(holdsPersonalBesidesRefs(`${ref},433124`)).toBe(false)
    expect(holdsPersonalBesidesRefs(`${ref},13812345678`)).toBe(true)
    expect(holdsPersonalBesidesRefs(`${ref}13812345678`)).toBe(true)
    expect(holdsPersonalBesidesRefs('43312419800101001X')).toBe(true)
  })

  it('scrubbed text never holds a pattern (fuzzed, fixed seed)', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789X +-"abc'.split('')), maxLength: 60 })
    fc.assert(
      fc.property(digits, (s) => {
        expect(holdsPersonal(scrubPersonal(s))).toBe(false)
      }),
      { seed: 4331, numRuns: 2000 },
    )
  })

  it('the log destination masks what passes through it', () => {
    const lines: string[] = []
    const dest = scrubbingDestination({ write: (l) => lines.push(l) })
    dest.write('{"msg":"phone 13800001111 id 430124200012319999"}\n')
    expect(lines[0]).toBe('{"msg":"phone 138****1111 id 430124**********99"}\n')
  })
})

describe('passwords', () => {
  it('refuse short, common, username-bearing and repetitive passwords', () => {
    expect(passwordProblem('short1!')).toMatch(/at least 12/)
    expect(passwordProblem('Password1234!')).toMatch(/too common/)
    expect(passwordProblem('123456789012')).toMatch(/digits only/)
    expect(passwordProblem('abcdefghijklmn')).toMatch(/sequence/)
    expect(passwordProblem('!!woaini1314520')).toMatch(/too common/)
    expect(passwordProblem('Qwertyuiop12')).toMatch(/too common/)
    expect(passwordProblem('huayuan-officer-2024', 'huayuan-officer')).toMatch(/username/)
    expect(passwordProblem('abababababab')).toMatch(/too few|repeated/)
    expect(passwordProblem('x'.repeat(129))).toMatch(/at most/)
    expect(passwordProblem('十八洞村精准扶贫首倡地2013')).toBeNull()
    expect(passwordProblem('Xiangxi-test-pass-2024!')).toBeNull()
    for (let i = 0; i < 20; i++) expect(passwordProblem(generatePassword())).toBeNull()
  })

  it('hash with argon2id and verify', async () => {
    const h = await hashPassword('Xiangxi-test-pass-2024!')
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(await verifyPassword(h, 'Xiangxi-test-pass-2024!')).toBe(true)
    expect(await verifyPassword(h, 'Xiangxi-test-pass-2024?')).toBe(false)
    expect(await verifyPassword(null, 'anything')).toBe(false)
    expect(await verifyPassword('not a hash', 'anything')).toBe(false)
  })
})

describe('TOTP', () => {
  it('accepts the current code once, refuses replays, junk and other secrets', async () => {
    const secret = newTotpSecret()
    const code = await totpNow(secret)
    const step = await checkTotp(secret, code, null)
    expect(step).toBe(Math.floor(Date.now() / 1000 / 30))
    expect(await checkTotp(secret, code, step)).toBeNull()
    expect(await checkTotp(newTotpSecret(), code, null)).toBeNull()
    expect(await checkTotp(secret, '12345', null)).toBeNull()
    expect(await checkTotp(secret, 'abcdef', null)).toBeNull()
    // One step of clock drift either way, not two.
    const now = Math.floor(Date.now() / 1000)
    expect(await checkTotp(secret, await totpNow(secret, now - 30), null)).not.toBeNull()
    expect(await checkTotp(secret, await totpNow(secret, now - 95), null)).toBeNull()
  })
})

describe('access rules', () => {
  it('deny by default: every /api and /tiles path needs a data role unless listed as public', () => {
    expect(defaultAccess('GET', '/api/anything/new')).toBe('data')
    expect(defaultAccess('POST', '/api/anything/new')).toBe('data')
    expect(defaultAccess('GET', '/tiles/:layer/:z/:x/:y')).toBe('data')
    expect(defaultAccess('GET', '/api/households/:id')).toBe('registry')
    expect(defaultAccess('GET', '/api/health')).toBe('public')
    expect(defaultAccess('GET', '/tiles/terrain/:z/:x/:y')).toBe('public')
    expect(defaultAccess('GET', '/assets/index.js')).toBe('public')
    expect(defaultAccess('POST', '/assets/index.js')).toBe('data')
    for (const role of ROLES) expect(roleAllows('data', role)).toBe(role !== 'auditor')
    expect(ROLES.filter((r) => roleAllows('registry', r))).toEqual(['province_admin', 'prefecture_officer', 'county_officer', 'township_officer', 'village_team'])
    expect(ROLES.filter((r) => roleAllows('audit', r))).toEqual(['auditor'])
    expect(ROLES.filter((r) => roleAllows('admin', r))).toEqual(['province_admin'])
  })
})
