import {
  Context,
  context,
  Link,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanOptions,
  SpanStatusCode,
  TextMapGetter,
  trace,
} from '@opentelemetry/api';

/**
 * Spans and trace context through the OpenTelemetry API only. With tracing off (no SDK
 * registered) every call here is a no-op: spans are not recorded and no context is injected.
 */
const tracer = trace.getTracer('customer-service');

/**
 * Runs `work` in a new span, active for everything `work` awaits (pg spans become its
 * children). A failure marks the span with its error type only: error messages can quote
 * input values.
 */
export function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>, parent: Context = context.active()): Promise<T> {
  return tracer.startActiveSpan(name, options, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Starts a span that the caller ends (for spans that outlive one callback). */
export function startSpan(name: string, options: SpanOptions, parent: Context = context.active()): Span {
  return tracer.startSpan(name, options, parent);
}

export function markFailed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.setAttribute('error.type', errorType(error));
}

/**
 * The active trace context as W3C Trace Context headers (`traceparent`, and `tracestate` when
 * there is one): stored with an outbox row, they travel with its Kafka message. Empty when
 * tracing is off.
 */
export function activeTraceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The trace context carried by message headers (strings or Kafka's Buffers). */
export function contextFromHeaders(headers: Record<string, unknown> | null | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers ?? {}, HEADER_GETTER);
}

/** A link to the span whose context the headers carry, if they carry one. */
export function linkFromHeaders(headers: Record<string, unknown> | null | undefined): Link[] {
  const spanContext = trace.getSpanContext(contextFromHeaders(headers));
  return spanContext && trace.isSpanContextValid(spanContext) ? [{ context: spanContext }] : [];
}

const HEADER_GETTER: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (typeof value === 'string') return value;
    return Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
  },
};

function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return `SQLSTATE ${code}`;
  return error instanceof Error ? error.constructor.name : typeof error;
}
