import { IncomingMessage } from 'node:http';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { TracingConfig } from '../config/app-config';
import { isManagementPath } from '../management/management-paths';

/**
 * The OpenTelemetry SDK: loaded only by `startTracing`, only when tracing is on.
 *
 * - Exporter: OTLP over HTTP, protobuf or JSON (`OTEL_EXPORTER_OTLP_PROTOCOL`); the exporter,
 *   the batch processor and the sampler read their other standard `OTEL_*` variables
 *   themselves (endpoint, headers, timeout, `OTEL_BSP_*`, `OTEL_TRACES_SAMPLER`), and the
 *   resource takes `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES`.
 * - Propagation: W3C Trace Context only. Baggage is not propagated: a client's baggage would
 *   otherwise be stored in the outbox and published to every consumer.
 * - Instrumentations: node:http (incoming requests; Fastify names the span by route, see
 *   http-route-span.ts) and pg (only inside a traced operation: the relay's poll and the
 *   health checks would otherwise make a trace of their own every second). kafkajs is traced by
 *   hand (outbox.relay.ts, customer.projector.ts): @opentelemetry/instrumentation-kafkajs would
 *   replace the trace context stored with each event by a span of the relay's own.
 */
export function startTracingSdk(config: TracingConfig): { shutdown(): Promise<void> } {
  const exporter = config.protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'customer-service' }).merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes arrive every few seconds: not worth a trace each.
        ignoreIncomingRequestHook: (request: IncomingMessage) => isManagementPath(request.url ?? ''),
        // List filters (logins, names, phone numbers) travel in the query string: never record it.
        startIncomingSpanHook: (request: IncomingMessage) => (request.url?.includes('?') ? { 'url.query': 'REDACTED' } : {}),
      }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  return {
    shutdown: async () => {
      unregister();
      await provider.shutdown();
    },
  };
}
