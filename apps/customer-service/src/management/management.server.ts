import { AddressInfo } from 'node:net';
import { HttpStatus, Inject, Injectable, INestApplication, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { Readiness } from '../health/readiness';
import { ApiError } from '../http/api-error';
import { toErrorResponse } from '../http/error-response';
import { requestIdFor } from '../http/request-id';
import { OPEN_API_PATH } from './management-paths';

/**
 * The management listener (MANAGEMENT_HOST:MANAGEMENT_PORT): liveness, readiness, Prometheus
 * metrics and the OpenAPI document, apart from the API's listener. It is for kubelets,
 * Prometheus and operators inside the network, so it has no token, no rate limit and no
 * request logging; the public listener serves the API only. Every process opens it, whatever
 * its roles. It starts listening on application bootstrap and closes last on shutdown, so
 * probes answer (not ready) while the roles stop.
 */
@Injectable()
export class ManagementServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly adapter = new FastifyAdapter({ genReqId: requestIdFor, requestIdHeader: false });
  private readonly fastify: FastifyInstance = this.adapter.getInstance();
  private address?: AddressInfo;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly registry: Registry,
    private readonly readiness: Readiness,
  ) {
    this.fastify.addHook('onRequest', (request, reply, done) => {
      void reply.header('x-request-id', request.id).header('cache-control', 'no-store');
      done();
    });
    this.fastify.get('/health/live', (_request, reply) => {
      void reply.send({ status: 'live' });
    });
    this.fastify.get('/health/ready', (request, reply) => this.ready(request, reply));
    this.fastify.get('/metrics', async (_request, reply) => {
      void reply.type(this.registry.contentType);
      return this.registry.metrics();
    });
    this.fastify.setNotFoundHandler((request, reply) => {
      const { status, body } = toErrorResponse(new ApiError(HttpStatus.NOT_FOUND, 'NOT_FOUND', 'Not found.'), request.id);
      void reply.code(status).send(body);
    });
  }

  /**
   * Serves the API's OpenAPI document at `/docs` (UI) and `/docs-json`, through Nest's own
   * Swagger setup (which needs only an application's HTTP adapter and static assets).
   */
  serveOpenApi(document: () => OpenAPIObject): void {
    const adapter = this.adapter;
    const host = { getHttpAdapter: () => adapter, useStaticAssets: (options: unknown): unknown => adapter.useStaticAssets(options as never) };
    SwaggerModule.setup(OPEN_API_PATH, host as unknown as INestApplication, document, { jsonDocumentUrl: `${OPEN_API_PATH}-json` });
  }

  /** `http://host:port` as bound (MANAGEMENT_PORT=0 picks a free port). */
  get url(): string {
    if (!this.address) throw new Error('the management listener is not listening yet');
    return `http://${shownHost(this.address.address)}:${this.address.port}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { host, port } = this.config.management;
    await this.fastify.listen({ host, port });
    this.address = this.fastify.server.address() as AddressInfo;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.fastify.close();
  }

  /** 200 with every check's state, or 503 with the documented error body naming each failing check. */
  private ready(request: FastifyRequest, reply: FastifyReply): void {
    const { ready, checks, failures } = this.readiness.report();
    if (ready) {
      void reply.send({ status: 'ready', checks });
      return;
    }
    const error = new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'NOT_READY', 'A dependency is down.', failures, { 'retry-after': '5' });
    const { status, body, headers } = toErrorResponse(error, request.id);
    void reply.code(status).headers(headers).send(body);
  }
}

/** A wildcard bind is reached on loopback from this machine. */
export function shownHost(address: string): string {
  if (address === '0.0.0.0' || address === '::') return '127.0.0.1';
  return address.includes(':') ? `[${address}]` : address;
}
