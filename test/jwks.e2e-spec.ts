import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';
import { call, ISSUER, newCounterparty, RunningApp, startApp } from './support/app';
import { expectErrorBody } from './support/error-body';

/**
 * Tokens from an identity provider's JWKS (RS256/ES256), as in production: a local JWKS
 * endpoint serves the public keys; the service must accept this API's access tokens only —
 * not tokens the same provider signs, with the same keys, for another audience or issuer, nor
 * its ID tokens — and follow a key rotation without a restart.
 */
const ISSUER_URL = 'https://idp.example';
const AUDIENCE = 'customer-service';

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyLike;
  jwk: JWK;
}

async function signingKey(kid: string, alg: SigningKey['alg']): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

let keys: SigningKey[];
let jwksServer: Server;
let service: RunningApp;

beforeAll(async () => {
  keys = [await signingKey('rsa-1', 'RS256')];
  jwksServer = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: keys.map((key) => key.jwk) }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const { port } = jwksServer.address() as AddressInfo;
  service = await startApp({
    ROLES: 'api', AUTH_JWT_SECRET: '', AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks`, AUTH_ISSUER: ISSUER_URL, AUTH_AUDIENCE: AUDIENCE,
  });
});
afterAll(async () => {
  await service?.close();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

function token(key: SigningKey, counterparty: string, overrides: { typ?: string; iss?: string; aud?: string } = {}) {
  return new SignJWT({ counterparty_guid: counterparty, scope: 'customers:read customers:write' })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: overrides.typ ?? 'at+jwt' })
    .setIssuer(overrides.iss ?? ISSUER_URL)
    .setAudience(overrides.aud ?? AUDIENCE)
    .setSubject('employee-jwks')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key.privateKey);
}

const create = { asset_code: 'EURC', asset_issuer: ISSUER };
const post = async (counterparty: string, bearer: string) =>
  call('POST', `${service.api}/counterparty/${counterparty}/customers`, create, { authorization: `Bearer ${bearer}` });

describe('tokens verified with the identity provider JWKS', () => {
  it('accepts an access token of this API (typ at+jwt or JWT)', async () => {
    const counterparty = newCounterparty();
    expect((await post(counterparty, await token(keys[0], counterparty))).status).toBe(200);
    expect((await post(counterparty, await token(keys[0], counterparty, { typ: 'JWT' }))).status).toBe(200);
  });

  it.each([
    ['for another API (audience)', { aud: 'payments-service' }],
    ['from another issuer', { iss: 'https://other-idp.example' }],
    ['an ID token', { typ: 'id_token+jwt' }],
    ['a logout token', { typ: 'logout+jwt' }],
  ])('refuses a token signed with the same key %s', async (_what, overrides) => {
    const counterparty = newCounterparty();
    expectErrorBody(await post(counterparty, await token(keys[0], counterparty, overrides)), 401, 'UNAUTHENTICATED');
  });

  it('follows a key rotation without a restart (an unknown kid refetches the JWKS, at most every 30 s)', async () => {
    const rotated = await signingKey('ec-2', 'ES256');
    keys = [keys[0], rotated];
    const counterparty = newCounterparty();
    const bearer = await token(rotated, counterparty);
    // Within 30 s of the last fetch the unknown kid is refused (jose's cooldown: a flood of made-up
    // kids cannot make the service hammer the provider); then the JWKS is fetched again.
    const deadline = Date.now() + 45_000;
    let status: number;
    while ((status = (await post(counterparty, bearer)).status) !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(status).toBe(200);
  }, 60_000);
});
