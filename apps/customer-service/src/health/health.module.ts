import { Module } from '@nestjs/common';
import { DatabaseMonitor } from './database.monitor';
import { KafkaMonitor } from './kafka.monitor';
import { Readiness } from './readiness';

/**
 * Background checks of PostgreSQL (with the outbox backlog) and Kafka, and the readiness
 * answer built from them; served by the management listener (management/).
 */
@Module({
  providers: [DatabaseMonitor, KafkaMonitor, Readiness],
  exports: [Readiness],
})
export class HealthModule {}
