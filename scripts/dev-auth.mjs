// Local demo authentication: a generated HS256 secret kept in .local/dev-auth-secret (only for
// `npm start` without AUTH_JWT_SECRET / AUTH_JWKS_URL) and the minting of tokens with it.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';

export const DEMO_COUNTERPARTY = '3f0c9a52-1c53-4a52-9d1e-2b6d0c7a9e11';

/** @param {string} root */
export function devSecretFile(root) {
  return path.join(root, '.local', 'dev-auth-secret');
}

/**
 * The local secret, created on first use (readable by the owner only).
 * @param {string} root
 */
export function devSecret(root) {
  const file = devSecretFile(root);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** @param {{ secret: string, counterparty: string, branch?: string, scope?: string, sub?: string, ttl?: string }} claims */
export function mintToken({ secret, counterparty, branch, scope = 'customers:read customers:write', sub = 'demo-employee', ttl = '1h' }) {
  return new SignJWT({ counterparty_guid: counterparty, ...(branch ? { branch_guid: branch } : {}), scope })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(secret));
}
