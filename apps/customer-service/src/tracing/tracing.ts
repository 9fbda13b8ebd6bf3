import { TracingConfig } from '../config/app-config';

interface RunningTracing {
  shutdown(): Promise<void>;
}

let running: RunningTracing | undefined;

/**
 * Starts OpenTelemetry tracing when it is configured (an OTLP endpoint is set), and loads
 * nothing of the SDK otherwise. Must run before Nest, node-postgres and Fastify are loaded:
 * the instrumentations patch those modules as they are first required (main.ts starts it,
 * then imports the application).
 */
export function startTracing(config: TracingConfig): void {
  if (!config.enabled || running) return;
  // Required here, not imported at the top: with tracing off the SDK is never loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracingSdk } = require('./tracing-sdk') as typeof import('./tracing-sdk');
  running = startTracingSdk(config);
}

/** Exports the spans still buffered and stops tracing (the last step of a shutdown). */
export async function stopTracing(): Promise<void> {
  const stopping = running;
  running = undefined;
  await stopping?.shutdown();
}
