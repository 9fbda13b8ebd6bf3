import { trace } from '@opentelemetry/api';
import { FastifyInstance } from 'fastify';

/**
 * Names the HTTP server span (started by the http instrumentation) after the route template,
 * e.g. `POST /api/v1/counterparty/:counterparty_guid/customers`, and sets `http.route`: the
 * URL itself holds guids. Nothing happens when tracing is off (there is no active span).
 */
export function nameServerSpansByRoute(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request) => {
    const span = trace.getActiveSpan();
    const route = request.routeOptions.url;
    if (!span || !route) return;
    span.updateName(`${request.method} ${route}`);
    span.setAttribute('http.route', route);
  });
}
