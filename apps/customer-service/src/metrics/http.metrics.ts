import { Injectable } from '@nestjs/common';
import { FastifyInstance } from 'fastify';
import { Histogram, Registry } from 'prom-client';

/** Label of requests that matched no route (404s): the raw URL would be unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Requests of the public listener: rate, errors and duration per route, as one histogram
 * (its `_count` by `status` gives rate and errors). The route is Fastify's route template
 * (`/api/v1/counterparty/:counterparty_guid/customers`), never the URL, which holds guids.
 */
@Injectable()
export class HttpMetrics {
  readonly duration: Histogram<'method' | 'route' | 'status'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP requests to the API, by method, route template and response status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  /** Observes every response the Fastify instance sends. */
  instrument(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      const labels = { method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status: String(reply.statusCode) };
      this.duration.observe(labels, reply.elapsedTime / 1000);
      done();
    });
  }
}
