import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '../../apps/customer-service/src/config/app-config';
import { RuntimeOptions } from '../../apps/customer-service/src/config/config.module';
import { createApp, startListening } from '../../apps/customer-service/src/create-app';
import { defaultAuthorization } from './tokens';

export interface RunningApp {
  app: NestFastifyApplication;
  /** The public listener, e.g. `http://127.0.0.1:41234` (only where the api role runs). */
  baseUrl: string;
  /** The API's base: `baseUrl` + API_PREFIX. */
  api: string;
  /** The management listener: `/health/live`, `/health/ready`, `/metrics`, `/docs`. */
  management: string;
  close(): Promise<void>;
}

/**
 * Boots the real service (real PostgreSQL and Kafka from the test run's global setup) on free
 * ports, as main.ts does. `env` overrides the environment, e.g. to select roles.
 */
export async function startApp(env: Record<string, string> = {}, options: RuntimeOptions = {}): Promise<RunningApp> {
  const config = loadConfig({ ...process.env, PORT: '0', MANAGEMENT_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  const app = await createApp(config, options);
  const { publicUrl, managementUrl } = await startListening(app, config);
  const noApi = () => {
    throw new Error(`this app runs no api role (ROLES=${[...config.roles].join(',')}): it has no public listener`);
  };
  return {
    app,
    get baseUrl() {
      return publicUrl ?? noApi();
    },
    get api() {
      return `${publicUrl ?? noApi()}${config.apiPrefix}`;
    },
    management: managementUrl,
    close: () => app.close(),
  };
}

export function newCounterparty(): string {
  return randomUUID();
}

export const ISSUER = 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7';

/**
 * A reply; `json` is the parsed body (undefined when it is not JSON), typed as the caller
 * expects it (`call<CustomerResponse>(…)`): an expectation, not a check; the test asserts it.
 */
export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

/**
 * A small fetch wrapper: JSON in, status + headers + parsed body out. Calls on a counterparty's
 * routes carry a valid token for that counterparty unless `headers` has its own Authorization
 * (an empty one sends none).
 */
export async function call<T = unknown>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply<T>> {
  const withAuth = await defaultAuthorization(url, headers);
  const init: RequestInit = { method, headers: Object.fromEntries(Object.entries(withAuth).filter(([, value]) => value !== '')) };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as T };
}

/**
 * `call` as a well-behaved client makes it: a 503 (the service shedding load, before any work
 * is committed) or a 429 is retried after its `Retry-After`, up to `attempts` times. For tests
 * whose property is not about overload (isolation, optimistic concurrency) but that send enough
 * at once that a loaded machine can make the service shed some of it.
 */
export async function callRetrying<T = unknown>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  attempts = 10,
): Promise<Reply<T>> {
  for (let attempt = 1; ; attempt++) {
    const reply = await call<T>(method, url, body, headers);
    if ((reply.status !== 503 && reply.status !== 429) || attempt >= attempts) return reply;
    const retryAfterSeconds = Number(reply.headers.get('retry-after') ?? '1');
    await new Promise((resolve) => setTimeout(resolve, Math.min(Number.isFinite(retryAfterSeconds) ? retryAfterSeconds : 1, 5) * 1000));
  }
}
