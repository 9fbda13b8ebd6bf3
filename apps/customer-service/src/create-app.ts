import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from '@fastify/helmet';
import { Logger } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { AppModule } from './app.module';
import { RuntimeOptions } from './config/config.module';
import { Readiness } from './health/readiness';
import { ManagementServer, shownHost } from './management/management.server';
import { HttpMetrics } from './metrics/http.metrics';
import { nameServerSpansByRoute } from './tracing/http-route-span';
import { ErrorBodyFilter } from './http/error-body.filter';
import { setUpOpenApi } from './http/open-api';
import { requestIdFor } from './http/request-id';
import { answerClientError } from './http/client-error';
import { BODY_LIMIT_BYTES, useJsonBodies } from './http/json-body';
import { validationPipe } from './http/validation';


/**
 * Builds the Nest application (used by main.ts and by the e2e tests). Does not listen: see
 * {@link startListening}. Its own Fastify instance serves the API only; health, metrics and
 * OpenAPI are on the management listener (ManagementServer).
 */
export async function createApp(config: AppConfig, options: RuntimeOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // A request that reaches a kept-alive connection after close() began goes through the app
    // (which answers it, or sheds it with 503 + Retry-After), not Fastify's raw 503 without one.
    return503OnClosing: false,
    // The client address (the request gate's rate limit) from X-Forwarded-For only as configured.
    trustProxy: config.http.trustProxy,
    // URL builders of other stacks sometimes end a collection path with "/" (…/customers/).
    ignoreTrailingSlash: true,
    genReqId: requestIdFor,
    requestIdHeader: false,
    // What Node's HTTP parser refuses (raw UTF-8 in the URL, oversized headers) gets the
    // documented error body too.
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.setGlobalPrefix(config.apiPrefix);
  app.useGlobalFilters(new ErrorBodyFilter());
  app.useGlobalPipes(validationPipe());

  useJsonBodies(app);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // From the start of a graceful shutdown every answer closes its connection (R13): a client
  // then sends its next request on a new connection, not on one the server is about to close
  // (which would reset it), and the server's close need not wait for idle keep-alive
  // connections (Fastify keeps them 72 s). Requests already in flight are answered in full.
  const readiness = app.get(Readiness);
  fastify.addHook('onSend', async (_request, reply) => {
    if (readiness.shuttingDown) reply.header('connection', 'close');
  });
  app.get(HttpMetrics).instrument(fastify);
  if (config.tracing.enabled) nameServerSpansByRoute(fastify);
  await app.register(helmet, { contentSecurityPolicy: false });
  // CORS stays off unless exact origins are configured.
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.http.corsOrigins,
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match', 'x-request-id', 'traceparent', 'tracestate'],
      exposedHeaders: ['etag', 'x-request-id', 'idempotent-replayed', 'retry-after'],
    });
  }
  setUpOpenApi(app);
  return app;
}

/** Where a started application answers (`http://host:port`, as bound). */
export interface Listening {
  /** The public listener (the API, under API_PREFIX), when this process runs the api role. */
  publicUrl?: string;
  /** The management listener (health, metrics, OpenAPI). */
  managementUrl: string;
}

/**
 * Starts the roles and the listeners: the management listener in every process, the public
 * one only where the api role runs (a relay or projector process has no API to serve).
 */
export async function startListening(app: NestFastifyApplication, config: AppConfig): Promise<Listening> {
  if (!config.hasRole('api')) {
    await app.init();
    // Nest prints the logs it buffered during start-up (bufferLogs) only once listen() binds;
    // without a public listener they would stay buffered, and so would every later line.
    app.flushLogs();
    return { managementUrl: app.get(ManagementServer).url };
  }
  await app.listen({ port: config.port, host: config.host });
  const { address, port } = app.getHttpServer().address() as { address: string; port: number };
  return { publicUrl: `http://${shownHost(address)}:${port}`, managementUrl: app.get(ManagementServer).url };
}
