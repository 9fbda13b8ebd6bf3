import 'reflect-metadata';
import { AppConfig, ConfigError, loadConfig, processEnvironment } from './config/app-config';
import { createApp, startListening } from './http/create-app';
import { OPEN_API_PATH } from './management/management-paths';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(processEnvironment());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const app = await createApp(config);
  const { publicUrl, managementUrl: management } = await startListening(app, config);
  // A plain banner for people; the JSON logs are for machines.
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
