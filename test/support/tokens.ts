import { SignJWT } from 'jose';

export interface TokenClaims {
  counterparty: string;
  branch?: string;
  scope?: string;
  sub?: string;
}

/** A token the test run's service accepts (HS256 with the run's AUTH_JWT_SECRET). */
export async function mintToken({ counterparty, branch, scope = 'customers:read customers:write', sub = 'employee-1' }: TokenClaims): Promise<string> {
  const secret = new TextEncoder().encode(process.env.AUTH_JWT_SECRET);
  return new SignJWT({ counterparty_guid: counterparty, ...(branch ? { branch_guid: branch } : {}), scope })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(secret);
}

const COUNTERPARTY_IN_PATH = /\/counterparty\/([^/?]+)/;

/** `Authorization` for the counterparty named in the URL, unless the caller set its own. */
export async function defaultAuthorization(url: string, headers: Record<string, string>): Promise<Record<string, string>> {
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) return headers;
  const counterparty = COUNTERPARTY_IN_PATH.exec(url)?.[1];
  if (!counterparty) return headers;
  return { ...headers, authorization: `Bearer ${await mintToken({ counterparty })}` };
}
