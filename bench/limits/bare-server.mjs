// The benchmark's framework-free "limit": the service's three hot routes (create, list, GET one)
// on plain node:http + pg, so the report can show "ours ÷ limit" (what Nest, Fastify, TypeORM and
// class-validator cost). It does the same work per request: verifies the bearer JWT with the
// service's TokenVerifier and settings (jose, HS256, the token-age check), parses JSON with the
// service's exact-number parser, builds the customer with the compiled domain, and runs the
// service's own SQL with the same payloads, replies and error bodies: the create's statements
// exported by CustomerRepository and OutboxWriter; for list and GET one, the service's own query
// handlers and CustomerReadRepository (page + total, cursors) on a plain pg pool instead of
// TypeORM's DataSource.
//
// The compiled modules it loads import Nest (@nestjs/common, core, cqrs, swagger) and TypeORM
// for their decorators and types, so those packages are loaded; none of them runs on the request
// path. Deliberately left out: Idempotency-Key handling, rate limiting, the
// per-counterparty cap on concurrent lists, helmet and CORS headers, OpenAPI, per-request
// logging, the /health/ready checks (Kafka, outbox age), GET one's `min_version` (a 400 here),
// the create's check that no query string is given, the other routes and the API prefix
// (routes are /counterparty/..., not /api/v1/counterparty/...).
// Body checks are the service's (same helpers) wired by hand instead of class-validator, so a
// 400's wording may differ from the service's.
//
//   PORT=3100 HOST=127.0.0.1 DATABASE_URL=postgres://... AUTH_JWT_SECRET=... node bench/limits/bare-server.mjs
import { createServer } from 'node:http';
import pg from 'pg';
import { compiled } from '../compiled.mjs';

// The service's modules, typed as their TypeScript source (dist/ is its build).

/** @type {typeof import('../../apps/customer-service/src/config/app-config')} */
const { loadAuthConfig, loadDatabaseConfig } = compiled('config/app-config');
/** @type {typeof import('../../apps/customer-service/src/database/pg-connection')} */
const { pgConnectionOptions } = compiled('database/pg-connection');
/** @type {typeof import('../../apps/customer-service/src/auth/token-verifier')} */
const { TokenVerifier } = compiled('auth/token-verifier');
/** @type {typeof import('../../apps/customer-service/src/auth/principal')} */
const { SCOPE_READ, SCOPE_WRITE } = compiled('auth/principal');
/** @type {typeof import('../../apps/customer-service/src/http/api-error')} */
const { ApiError } = compiled('http/api-error');
/** @type {typeof import('../../apps/customer-service/src/http/error-response')} */
const { toErrorResponse } = compiled('http/error-response');
/** @type {typeof import('../../apps/customer-service/src/http/json-body')} */
const { parseJsonBody } = compiled('http/json-body');
/** @type {typeof import('../../apps/customer-service/src/http/request-id')} */
const { requestIdFor } = compiled('http/request-id');
/** @type {typeof import('../../apps/customer-service/src/fields/field-rules')} */
const rules = compiled('fields/field-rules');
/** @type {typeof import('../../apps/customer-service/src/customers/domain/customer')} */
const { Customer } = compiled('customers/domain/customer');
/** @type {typeof import('../../apps/customer-service/src/customers/customer-errors')} */
const { CustomerError, CustomerNotFoundError, IbanTakenError, LoginTakenError } = compiled('customers/customer-errors');
/** @type {typeof import('../../apps/customer-service/src/customers/customers-api')} */
const { apiErrorOf } = compiled('customers/customers-api'); // business errors → the API's status and code
/** @type {typeof import('../../apps/customer-service/src/fields/money')} */
const { Money, stringifyJson } = compiled('fields/money');
/** @type {typeof import('../../apps/customer-service/src/customers/commands/customer-events')} */
const { eventContextOf, toOutboxMessages } = compiled('customers/commands/customer-events');
/** @type {typeof import('../../apps/customer-service/src/customers/customer.mapper')} */
const { createdCustomerView } = compiled('customers/customer.mapper');
/** @type {typeof import('../../apps/customer-service/src/auth/access')} */
const { branchForCreate, scopeOf } = compiled('auth/access');
/** @type {typeof import('../../apps/customer-service/src/http/request-headers')} */
const { entityTag } = compiled('http/request-headers');
/** @type {typeof import('../../apps/customer-service/src/customers/commands/persistence/customer.repository')} */
const { INSERT_CUSTOMER_SQL, INSERT_ACCOUNT_SQL, insertCustomerValues, insertAccountValues } = compiled('customers/commands/persistence/customer.repository');
/** @type {typeof import('../../apps/customer-service/src/outbox/outbox.writer')} */
const { outboxInsertSql } = compiled('outbox/outbox.writer');
/** @type {typeof import('../../apps/customer-service/src/customers/queries/find-customers/customer-list.params')} */
const { parseCustomerListQuery } = compiled('customers/queries/find-customers/customer-list.params');
/** @type {typeof import('../../apps/customer-service/src/http/query-params')} */
const { decodeQueryString, readQuery } = compiled('http/query-params'); // as the service's QueryGuard reads a query string
/** @type {typeof import('../../apps/customer-service/src/customers/queries/customer-read.repository')} */
const { CustomerReadRepository } = compiled('customers/queries/customer-read.repository');
/** @type {typeof import('../../apps/customer-service/src/customers/queries/find-customers/find-customers.handler')} */
const { FindCustomersHandler } = compiled('customers/queries/find-customers/find-customers.handler');
/** @type {typeof import('../../apps/customer-service/src/customers/queries/find-customers/find-customers.query')} */
const { FindCustomersQuery } = compiled('customers/queries/find-customers/find-customers.query');

const BODY_LIMIT_BYTES = 64 * 1024; // the service's BODY_LIMIT_BYTES (create-app.ts)
const JSON_TYPE = /^application\/json\s*(;|$)/i;
/** @type {typeof import('../../apps/customer-service/src/auth/bearer')} */
const { bearerTokenOf } = compiled('auth/bearer'); // as the service's request gate
const CUSTOMERS_PATH = /^\/counterparty\/([^/]+)\/customers$/;
const CUSTOMER_PATH = /^\/counterparty\/([^/]+)\/customers\/([^/]+)$/;
const UNIQUE_VIOLATION = '23505';
/** The unique indexes the service's CustomerRepository translates into 409s. */
const CONFLICT_BY_CONSTRAINT = {
  customers_counterparty_login_key: () => new LoginTakenError(),
  wallet_accounts_counterparty_iban_key: () => new IbanTakenError(),
};

/** @typedef {import('../../apps/customer-service/src/config/app-config').AppConfig} AppConfig */
let database; // DATABASE_URL, the pool sizes and the timeouts, read as the service reads them
let auth; // AUTH_JWT_SECRET, AUTH_MAX_TOKEN_AGE_SECONDS, …: the token checks the service makes
try {
  database = loadDatabaseConfig(process.env);
  auth = loadAuthConfig(process.env);
} catch (error) {
  process.stderr.write(`bare server: ${/** @type {Error} both throw Errors */ (error).message}\n`); // the config's messages never echo a value
  process.exit(1);
}
// The verifier reads only `auth` of the service's configuration.
const verifier = new TokenVerifier(/** @type {AppConfig} */ ({ auth }));
// The service's pool settings (database/typeorm-options.ts). One pool for writes and lists, the
// size of the service's queries pool: a scenario runs one kind of work at a time.
const pool = new pg.Pool({
  ...pgConnectionOptions(database), max: database.pools.queries, connectionTimeoutMillis: database.connectTimeoutMs,
  statement_timeout: database.statementTimeoutMs, idle_in_transaction_session_timeout: database.statementTimeoutMs * 2,
  application_name: 'customer-service-bare',
});
pool.on('error', (/** @type {Error & { code?: string }} */ error) => process.stderr.write(`bare server: idle database connection failed (${error.code ?? 'no code'})\n`));
// The service's read path without Nest or TypeORM: its repository reads through `query(text,
// values)` → rows, which is all it asks of TypeORM's DataSource; the list handler's cap on
// concurrent lists per counterparty is left out (it only counts).
const readModel = new CustomerReadRepository(/** @type {import('typeorm').DataSource} */ (/** @type {unknown} */ ({
  query: (/** @type {string} */ text, /** @type {unknown[]} */ values) => pool.query(text, values).then((result) => result.rows),
})));
const findCustomers = new FindCustomersHandler(readModel, /** @type {import('../../apps/customer-service/src/customers/queries/find-customers/list-concurrency').ListConcurrency} */ (/** @type {unknown} */ ({
  run: (/** @type {string} */ _counterparty, /** @type {() => Promise<unknown>} */ list) => list(),
})));

// Body fields → check; each returns the normalised value or a Problem (the service's field
// rules, fields/field-rules.ts, fed as its request DTOs feed them).
const { Problem } = rules;
/** @typedef {(value: unknown) => unknown} Check  a field's value → the value kept, or a Problem */
const isNullable = (/** @type {Check} */ check) => (/** @type {unknown} */ value) => (value === null ? null : check(value));
const notNull = (/** @type {Check} */ check) => (/** @type {unknown} */ value) => (value === null ? new Problem('must not be null') : check(value));
const aString = (/** @type {(raw: string) => unknown} */ read) => (/** @type {unknown} */ value) => (typeof value === 'string' ? read(value) : new Problem('must be a string'));
const cleanText = (/** @type {number} */ max) => isNullable(aString(rules.text(max)));
/** @type {Check} */
const money = (value) => (typeof value === 'object' && value !== null && 'text' in value ? rules.money(/** @type {string} an ExactNumber's text */ (value.text)) : typeof value === 'number' ? rules.money(String(value)) : new Problem('must be a number'));
/** @type {Record<string, Check>} */
const BODY_FIELDS = {
  asset_code: aString(rules.assetCode),
  asset_issuer: aString(rules.stellarAccountId),
  login: cleanText(255),
  iban: isNullable(aString(rules.iban)),
  name: cleanText(255),
  surname: cleanText(255),
  paternal_name: cleanText(255),
  phone_number: isNullable(aString(rules.phone)),
  kyc_level: notNull((value) => (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2_147_483_647 ? value : new Problem('must be an integer from 0 to 2147483647'))),
  is_disabled: notNull((value) => (typeof value === 'boolean' ? value : new Problem('must be a boolean value'))),
  balance_allowed: notNull(money),
  balance_asset_code: isNullable(aString(rules.assetCode)),
  balance_asset_issuer: isNullable(aString(rules.stellarAccountId)),
  branch_guid: isNullable(aString(rules.guid)),
  segment: isNullable(aString(rules.oneOf(['PL', 'PI']))),
  status: cleanText(64),
};
const REQUIRED_FIELDS = ['asset_code', 'asset_issuer'];

/**
 * What readCreateBody returns: each field present passed its check.
 * @typedef {{ login?: string | null, iban?: string | null, asset_code: string, asset_issuer: string }
 *   & Partial<import('../../apps/customer-service/src/customers/domain/customer').CustomerProfile>} CreateFields
 */

/**
 * The validated create body, or one 400 naming every bad field (as the service's ValidationPipe).
 * @param {Record<string, unknown>} body
 * @returns {CreateFields}
 */
function readCreateBody(body) {
  /** @type {Record<string, unknown>} */
  const fields = {};
  /** @type {{ field: string, message: string }[]} */
  const problems = [];
  for (const field of new Set([...Object.keys(body), ...REQUIRED_FIELDS])) {
    const check = Object.hasOwn(BODY_FIELDS, field) ? BODY_FIELDS[field] : () => new Problem('is not a known field');
    const read = check(body[field]);
    if (read instanceof Problem) problems.push({ field, message: read.message });
    else fields[field] = read;
  }
  if (problems.length > 0) throw ApiError.badRequest('Request is invalid.', problems);
  return /** @type {CreateFields} the checks above made each field so */ (fields);
}

/**
 * @param {import('node:http').IncomingMessage} request
 * @param {string} pathCounterparty
 * @param {string} scope
 */
async function authenticate(request, pathCounterparty, scope) {
  const token = bearerTokenOf(request.headers.authorization);
  const principal = token && (await verifier.verify(token).catch(() => null));
  if (!principal) throw new ApiError(401, 'UNAUTHENTICATED', 'A valid bearer token is required.', [], { 'www-authenticate': 'Bearer' });
  if (pathCounterparty.toLowerCase() !== principal.counterpartyGuid) {
    throw new ApiError(403, 'COUNTERPARTY_FORBIDDEN', 'The token does not grant access to this counterparty.');
  }
  if (!principal.scopes.has(scope)) throw new ApiError(403, 'INSUFFICIENT_SCOPE', `The token lacks the ${scope} scope.`);
  return principal;
}

/**
 * @param {import('node:http').IncomingMessage} request
 * @returns {Promise<string>}
 */
function readBody(request) {
  if (!JSON_TYPE.test(request.headers['content-type'] ?? '')) {
    return Promise.reject(new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json.'));
  }
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0; // an oversized body is read to its end (not kept), so the 413 reaches the client
    request.on('data', (/** @type {Buffer} */ chunk) => (size += chunk.length) <= BODY_LIMIT_BYTES && chunks.push(chunk));
    request.on('error', reject).on('end', () => (size > BODY_LIMIT_BYTES
      ? reject(new ApiError(413, 'PAYLOAD_TOO_LARGE', 'Request body is too large.'))
      : resolve(Buffer.concat(chunks).toString('utf8'))));
  });
}

/**
 * BEGIN … COMMIT on one pooled connection; a unique violation becomes the service's 409 error.
 * @param {(client: pg.PoolClient) => Promise<void>} work
 */
async function inTransaction(work) {
  const client = await pool.connect();
  /** @type {Error | undefined} */
  let broken;
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch((/** @type {Error} */ rollbackError) => { broken = rollbackError; });
    const { code, constraint } = /** @type {{ code?: string, constraint?: string }} a pg DatabaseError, or any error */ (error);
    const conflict = code === UNIQUE_VIOLATION ? CONFLICT_BY_CONSTRAINT[/** @type {keyof typeof CONFLICT_BY_CONSTRAINT} */ (constraint)] : undefined;
    throw conflict ? conflict() : error;
  } finally {
    client.release(broken);
  }
}

/**
 * As CreateCustomerController + CreateCustomerHandler without an Idempotency-Key.
 * @param {import('node:http').IncomingMessage} request
 * @param {string} counterpartyGuid
 * @returns {Promise<{ body: string, headers?: Record<string, string> }>}
 */
async function createCustomer(request, counterpartyGuid) {
  const principal = await authenticate(request, counterpartyGuid, SCOPE_WRITE); // before the body, as the service's request gate
  // Not checked to be an object: a body that is not one fails in readCreateBody as it always did.
  const body = /** @type {Record<string, unknown>} */ (parseJsonBody(await readBody(request)));
  const { login = null, iban = null, asset_code, asset_issuer, ...patch } = readCreateBody(body);
  const profile = {
    name: null, surname: null, paternal_name: null, phone_number: null, kyc_level: 0, is_disabled: false,
    balance_allowed: Money.ZERO, balance_asset_code: null, balance_asset_issuer: null, segment: null, status: null,
    ...patch,
    branch_guid: branchForCreate(scopeOf(principal), patch.branch_guid),
  };
  const firstAccount = { iban, asset_code, asset_issuer };
  const customer = Customer.create({ counterparty_guid: counterpartyGuid, login, profile, firstAccount }, new Date());
  const state = customer.snapshot;
  await inTransaction(async (client) => {
    await client.query(INSERT_CUSTOMER_SQL, insertCustomerValues(state));
    for (const account of state.accounts) await client.query(INSERT_ACCOUNT_SQL, insertAccountValues(state, account));
    await client.query(outboxInsertSql(toOutboxMessages(customer, eventContextOf(principal))));
  });
  return { body: stringifyJson(createdCustomerView(state)), headers: { etag: entityTag(state.version) } };
}

/**
 * As FindCustomersController: the query string read as the service's QueryGuard reads it (after
 * authentication), then the service's FindCustomersHandler (page and total at once, the same
 * SQL, the cursor).
 * @param {import('node:http').IncomingMessage} request
 * @param {string} counterpartyGuid
 * @param {string} query  what follows `?` ('' without one)
 * @returns {Promise<{ body: string, headers?: Record<string, string> }>}
 */
async function listCustomers(request, counterpartyGuid, query) {
  const principal = await authenticate(request, counterpartyGuid, SCOPE_READ);
  const { filter, page } = parseCustomerListQuery(decodeQueryString(query));
  const list = await findCustomers.execute(new FindCustomersQuery(scopeOf(principal), filter, page));
  return { body: stringifyJson(list) };
}

/**
 * As GetCustomerController without `min_version` (any query parameter is a 400, read as the
 * service's QueryGuard reads one): the service's CustomerReadRepository.findOne.
 * @param {import('node:http').IncomingMessage} request
 * @param {string} counterpartyGuid
 * @param {string} customerGuid
 * @param {string} query  what follows `?` ('' without one)
 * @returns {Promise<{ body: string, headers?: Record<string, string> }>}
 */
async function getCustomer(request, counterpartyGuid, customerGuid, query) {
  const principal = await authenticate(request, counterpartyGuid, SCOPE_READ);
  readQuery(decodeQueryString(query), {});
  const guid = rules.guid(customerGuid);
  if (guid instanceof Problem) throw ApiError.badRequest('Request is invalid.', [{ field: 'customer_guid', message: guid.message }]);
  const customer = await readModel.findOne(scopeOf(principal), guid);
  if (!customer) throw new CustomerNotFoundError();
  return { body: stringifyJson(customer), headers: { etag: entityTag(customer.version) } };
}

/**
 * @param {import('node:http').IncomingMessage} request
 * @returns {{ body: string, headers?: Record<string, string> } | Promise<{ body: string, headers?: Record<string, string> }>}
 */
function route(request) {
  const url = /** @type {string} a server's request has one */ (request.url);
  const queryAt = url.indexOf('?');
  const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
  if (request.method === 'GET' && pathname === '/health') return { body: '{"status":"ok"}' };
  const counterpartyGuid = CUSTOMERS_PATH.exec(pathname)?.[1];
  if (counterpartyGuid && request.method === 'POST') return createCustomer(request, counterpartyGuid);
  const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
  if (counterpartyGuid && request.method === 'GET') return listCustomers(request, counterpartyGuid, query);
  const one = request.method === 'GET' ? CUSTOMER_PATH.exec(pathname) : null;
  if (one) return getCustomer(request, one[1], one[2], query);
  throw new ApiError(404, 'NOT_FOUND', `Cannot ${request.method} ${pathname}`);
}

/**
 * @param {import('node:http').ServerResponse} response
 * @param {string} requestId
 * @param {number} status
 * @param {string} body
 * @param {Record<string, string>} [headers]
 */
function send(response, requestId, status, body, headers = {}) {
  const length = Buffer.byteLength(body);
  response.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': length, 'x-request-id': requestId });
  response.end(body);
}

const server = createServer(async (request, response) => {
  const requestId = requestIdFor(request);
  try {
    const { body, headers } = await route(request);
    send(response, requestId, 200, body, headers);
  } catch (error) {
    const { status, body, headers } = toErrorResponse(error instanceof CustomerError ? apiErrorOf(error) : error, requestId);
    send(response, requestId, status, stringifyJson(body), headers);
  }
});

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3100);
server.listen(port, host, () => process.stderr.write(`bare server listening on http://${host}:${port}\n`));

const SHUTDOWN_GRACE_MS = 2000;
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => pool.end().then(() => process.exit(0)));
    // Idle keep-alive connections close at once; a client mid-request gets a short grace.
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  });
}
