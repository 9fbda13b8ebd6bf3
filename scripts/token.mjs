// npm run token -- --counterparty <guid> [--branch <guid>] [--scope "customers:read customers:write"]
//                  [--sub <employee>] [--ttl 1h]
// Mints a bearer token signed with AUTH_JWT_SECRET, else with the secret in the file named by
// AUTH_JWT_SECRET_FILE (inside the Compose stack:
// `docker compose exec customer-service node scripts/token.mjs …`), else with the local demo
// secret that `npm start` generated in .local/dev-auth-secret. Prints only the token.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { devSecretFile, devSecret, mintToken } from './dev-auth.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  process.stderr.write(`token: ${message}\n`);
  process.exit(2);
}

/** @type {{ counterparty?: string, branch?: string, scope: string, sub: string, ttl: string }} */
let values;
try {
  ({ values } = parseArgs({
    options: {
      counterparty: { type: 'string' },
      branch: { type: 'string' },
      scope: { type: 'string', default: 'customers:read customers:write' },
      sub: { type: 'string', default: 'demo-employee' },
      ttl: { type: 'string', default: '1h' },
    },
  }));
} catch (error) {
  fail(/** @type {Error} */ (error).message);
}
if (!values.counterparty || !UUID.test(values.counterparty)) fail('--counterparty <uuid> is required');
if (values.branch && !UUID.test(values.branch)) fail('--branch must be a uuid');
const scopes = values.scope.split(' ').filter(Boolean);
if (scopes.some((scope) => !['customers:read', 'customers:write'].includes(scope))) fail('--scope takes customers:read and/or customers:write');
if (!/^\d+[smh]$/.test(values.ttl)) fail('--ttl looks like 30m or 1h (the service refuses tokens issued over AUTH_MAX_TOKEN_AGE_SECONDS ago, default 1 h)');

let secret = process.env.AUTH_JWT_SECRET?.trim();
if (!secret && process.env.AUTH_JWT_SECRET_FILE?.trim()) {
  try {
    secret = readFileSync(process.env.AUTH_JWT_SECRET_FILE.trim(), 'utf8').trim();
  } catch (error) {
    fail(`cannot read AUTH_JWT_SECRET_FILE (${/** @type {NodeJS.ErrnoException} */ (error).code ?? /** @type {Error} */ (error).message})`);
  }
}
if (!secret) {
  if (!existsSync(devSecretFile(root))) fail('set AUTH_JWT_SECRET, or run `npm start` once without it to create the local demo secret');
  secret = devSecret(root);
}
process.stdout.write(`${await mintToken({ secret, counterparty: values.counterparty, branch: values.branch, scope: scopes.join(' '), sub: values.sub, ttl: values.ttl })}\n`);
