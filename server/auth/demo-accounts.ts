import { randomBytes } from 'node:crypto'
import type { Db } from '../db/types.js'
import { createUser } from './users.js'
import { generatePassword, passwordProblem } from './passwords.js'
import { newTotpSecret, totpUri } from './totp.js'
import { TOTP_ROLES } from '../../domain/roles.js'
import type { Department, Role } from '../../domain/roles.js'

export interface DemoAccount {
  username: string
  displayName: string
  role: Role
  scope: string
  department?: Department
}

/** One account per role over real divisions (README lists them). */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { username: 'admin.hunan', displayName: '湖南省扶贫办管理员', role: 'province_admin', scope: '43' },
  { username: 'officer.xiangxi', displayName: '湘西州扶贫办', role: 'prefecture_officer', scope: '4331' },
  { username: 'officer.huayuan', displayName: '花垣县扶贫办', role: 'county_officer', scope: '433124' },
  { username: 'officer.shuanglong', displayName: '双龙镇扶贫专干', role: 'township_officer', scope: '433124110' },
  { username: 'team.shibadong', displayName: '十八洞村驻村工作队', role: 'village_team', scope: '433124110226' },
  { username: 'viewer.water', displayName: '湖南省水利厅', role: 'department_viewer', scope: '43', department: 'water' },
  { username: 'leader.xiangxi', displayName: '湘西州领导', role: 'leader', scope: '4331' },
  { username: 'auditor.hunan', displayName: '湖南省审计员', role: 'auditor', scope: '43' },
]

export interface CreatedDemoAccount extends DemoAccount {
  password: string
  totpSecret: string | null
  totpUri: string | null
}

/**
 * Creates the demo accounts when the database has no account at all (first start) and returns them
 * with their passwords (from POVMAP_DEMO_PASSWORD or generated) and TOTP secrets, to be shown once.
 * Returns [] when accounts exist. Runs as the connecting owner, like the loader.
 */
export async function ensureDemoAccounts(db: Db, opts: { password?: string; totp: 'personal' | 'off'; totpRoles?: readonly Role[] }): Promise<CreatedDemoAccount[]> {
  if (opts.password) {
    const problem = passwordProblem(opts.password)
    if (problem) throw new Error(`POVMAP_DEMO_PASSWORD is refused: ${problem}`)
  }
  return db.transaction(async (tx) => {
    // One process creates them even when several start at once against one server.
    await tx.query('LOCK TABLE app_user IN SHARE ROW EXCLUSIVE MODE')
    const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM app_user')
    if (rows[0]!.n > 0) return []
    const created: CreatedDemoAccount[] = []
    for (const a of DEMO_ACCOUNTS) {
      const password = opts.password ?? generatePassword()
      const totpSecret = opts.totp === 'personal' && (opts.totpRoles ?? TOTP_ROLES).includes(a.role) ? newTotpSecret() : null
      await createUser(tx, { ...a, password, totpSecret })
      created.push({ ...a, password, totpSecret, totpUri: totpSecret ? totpUri(totpSecret, a.username) : null })
    }
    return created
  })
}

/** The session-cookie signing key: SESSION_SECRET, or one generated once and kept in app_secret. */
export async function sessionSecret(db: Db, fromEnv: string | undefined): Promise<string> {
  if (fromEnv) return fromEnv
  await db.query('INSERT INTO app_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', ['session', randomBytes(32).toString('base64url')])
  const { rows } = await db.query<{ value: string }>('SELECT value FROM app_secret WHERE name = $1', ['session'])
  return rows[0]!.value
}
