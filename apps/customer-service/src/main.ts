import 'reflect-metadata';
import { ConfigError, loadConfig, processEnvironment } from './config/app-config';
import { createApp } from './http/create-app';
import { OPEN_API_PATH } from './http/open-api';
import { checkConnections } from './startup/check-connections';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig(processEnvironment());
    // A setting that can never connect (TLS, credentials) stops here, in one line; a server that is down does not.
    await checkConnections(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host });
  const shownHost = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host;
  // The port listened on (PORT=0 picks a free one).
  const { port } = app.getHttpServer().address() as { port: number };
  const base = `http://${shownHost}:${port}`;
  // A plain banner for people; the JSON logs are for machines.
  process.stdout.write(
    [
      `customer-service is up (roles: ${[...config.roles].join(', ')})`,
      `  API:      ${base}${config.apiPrefix}`,
      `  health:   ${base}/health/live  ${base}/health/ready`,
      `  OpenAPI:  ${base}/${OPEN_API_PATH}  (JSON: ${base}/${OPEN_API_PATH}-json)`,
      '',
    ].join('\n'),
  );
}

void bootstrap().catch((error: unknown) => {
  process.stderr.write(`customer-service failed to start: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
