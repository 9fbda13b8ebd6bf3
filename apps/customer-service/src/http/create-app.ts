import { NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from '@fastify/helmet';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { AppModule } from '../app.module';
import { RuntimeOptions } from '../config/config.module';
import { ErrorBodyFilter, sendError } from './error-body.filter';
import { setUpOpenApi } from './open-api';
import { requestIdFor } from './request-id';
import { BODY_LIMIT_BYTES, useJsonBodies } from './json-body';
import { QueryInterceptor } from './query.decorators';
import { validationPipe } from './validation';

export const HEALTH_PATHS = ['health/live', 'health/ready'];

/** Builds the Nest application (used by main.ts and by the e2e tests). Does not listen. */
export async function createApp(config: AppConfig, options: RuntimeOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // The client address (the request gate's rate limit) from X-Forwarded-For only as configured.
    trustProxy: config.http.trustProxy,
    // URL builders of other stacks sometimes end a collection path with "/" (…/customers/).
    ignoreTrailingSlash: true,
    genReqId: requestIdFor,
    requestIdHeader: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.setGlobalPrefix(config.apiPrefix, { exclude: HEALTH_PATHS });
  app.useGlobalFilters(new ErrorBodyFilter());
  app.useGlobalPipes(validationPipe());
  app.useGlobalInterceptors(new QueryInterceptor(app.get(Reflector)));

  useJsonBodies(app);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await app.register(helmet, { contentSecurityPolicy: false });
  // CORS stays off unless exact origins are configured.
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({ origin: config.http.corsOrigins, allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match', 'x-request-id', 'traceparent'], exposedHeaders: ['etag', 'x-request-id', 'idempotent-replayed', 'retry-after'] });
  }
  setUpOpenApi(app);
  return app;
}
