import { trace } from '@opentelemetry/api';
import { FastifyInstance } from 'fastify';

/**
 * Names the HTTP server span (started by the http instrumentation) after the route template,
 * e.g. `POST /api/v1/counterparty/:counterparty_guid/customers`, and sets `http.route`: the
 * URL itself holds guids. Registered only when tracing is on.
 */
export function nameServerSpansByRoute(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const span = trace.getActiveSpan();
    const route = request.routeOptions.url;
    if (span && route) {
      span.updateName(`${request.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    done();
  });
}
