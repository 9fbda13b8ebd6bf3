import 'reflect-metadata';
import { AppConfig, ConfigError, loadConfig, processEnvironment } from './config/app-config';
import { OPEN_API_PATH } from './management/management-paths';
import { startTracing } from './tracing/tracing';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(processEnvironment());
    // Before node-postgres, kafkajs, Nest and Fastify are loaded (imported below, not above):
    // the instrumentations patch those modules as they are first required.
    startTracing(config.tracing);
    const { checkConnections } = await import('./startup/check-connections');
    // A setting that can never connect (TLS, credentials) stops here, in one line; a server that is down does not.
    await checkConnections(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const { createApp, startListening } = await import('./create-app');
  const app = await createApp(config);
  const { publicUrl, managementUrl: management } = await startListening(app, config);
  // A plain banner for people; the logs are for machines (or pretty, in a terminal).
  process.stdout.write(
    [
      `customer-service is up (roles: ${[...config.roles].join(', ')})`,
      ...(publicUrl ? [`  API:         ${publicUrl}${config.apiPrefix}`] : []),
      `  health:      ${management}/health/live  ${management}/health/ready`,
      `  metrics:     ${management}/metrics`,
      `  OpenAPI:     ${management}/${OPEN_API_PATH}  (JSON: ${management}/${OPEN_API_PATH}-json)`,
      '',
    ].join('\n'),
  );
}

void bootstrap().catch((error: unknown) => {
  process.stderr.write(`customer-service failed to start: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
