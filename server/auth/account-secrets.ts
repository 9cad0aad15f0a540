import type { Config } from '../infra/config.js'
import type { Db } from '../db/types.js'
import { loadSecretKey, SECRET_KEY_FILE, useSecretKey } from './secret-box.js'
import { sealClearTotpSecrets } from './users.js'

/**
 * Start-up: sets the key that seals TOTP seeds (POVMAP_SECRET_KEY or DATA_DIR/secret.key), seals the
 * seeds an older version stored in clear, and says when seeds were sealed under another key (those
 * accounts cannot sign in until that key is configured). Runs as the owner, before serving.
 */
export async function prepareAccountSecrets(config: Config, db: Db, log: (msg: string) => void): Promise<void> {
  const { key, source } = loadSecretKey({ fromEnv: config.auth.secretKey, dataDir: config.dataDir })
  useSecretKey(key)
  if (source === 'created') log(`secret key: generated ${SECRET_KEY_FILE} in ${config.dataDir} (mode 0600; keep it with backups of the database, or set POVMAP_SECRET_KEY)`)
  const { sealed, otherKey } = await sealClearTotpSecrets(db)
  if (sealed > 0) log(`secret key: sealed ${sealed} TOTP seeds that were stored in clear`)
  if (otherKey > 0) log(`warning: ${otherKey} TOTP seeds were sealed under another key (this one is ${key.id}): those accounts cannot sign in until POVMAP_SECRET_KEY is that key`)
}
