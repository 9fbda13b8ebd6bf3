import { Controller, Get, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators';
import { ApiError } from '../http/api-error';
import { KafkaHealthIndicator } from './kafka.health';
import { OutboxHealthIndicator } from './outbox.health';

const CHECK_TIMEOUT_MS = 1500;

@ApiTags('health')
@Public()
// Probes are never rate limited (the request gate covers API_PREFIX only): a 429 on readiness would take a healthy instance out.
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly outbox: OutboxHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers (no dependency checked).' })
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: PostgreSQL and Kafka answer, and (where the relay runs) the outbox is not lagging; 503 otherwise. Reports the outbox backlog.',
  })
  @HealthCheck()
  async ready() {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }),
        () => this.kafka.isHealthy('kafka', CHECK_TIMEOUT_MS),
        () => this.outbox.isHealthy('outbox', CHECK_TIMEOUT_MS),
      ]);
    } catch (error) {
      throw notReady(error);
    }
  }
}

/** Terminus reports failed checks in its exception; name each one in the documented error body. */
function notReady(error: unknown): unknown {
  if (!(error instanceof ServiceUnavailableException)) return error;
  const failed = (error.getResponse() as { error?: Record<string, { message?: string }> }).error ?? {};
  const details = Object.entries(failed).map(([field, result]) => ({ field, message: result.message ?? 'down' }));
  return new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'NOT_READY', 'A dependency is down.', details, { 'retry-after': '5' });
}
