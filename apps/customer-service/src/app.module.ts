import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { ConfigModule, RuntimeOptions } from './config/config.module';
import { ProjectorModule } from './projector/projector.module';
import { CustomersModule } from './customers/customers.module';
import { DatabaseModule } from './database/database.module';
import { AcceptQueueDrain } from './http/accept-queue-drain';
import { KafkaModule } from './kafka/kafka.module';
import { LoggingModule } from './logging/logging.module';
import { ManagementModule } from './management/management.module';
import { MetricsModule } from './metrics/metrics.module';
import { RelayModule } from './outbox/relay.module';
import { RetentionModule } from './retention/retention.module';
import { TracingModule } from './tracing/tracing.module';

/**
 * The process is assembled from the roles it runs (`ROLES`): the HTTP API, the outbox relay and
 * the read-model projector can share one process or run apart. The management listener
 * (health, metrics, OpenAPI) is always on.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: RuntimeOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, options),
        LoggingModule,
        TracingModule,
        MetricsModule,
        DatabaseModule.forRoot(config),
        KafkaModule,
        ManagementModule,
        AuthModule,
        CqrsModule.forRoot(),
        ...(config.hasRole('api') ? [CustomersModule] : []),
        ...(config.hasRole('relay') ? [RelayModule] : []),
        ...(config.hasRole('projector') ? [ProjectorModule] : []),
        ...(config.hasRole('api') || config.hasRole('projector') ? [RetentionModule] : []),
      ],
      // R13: the public listener takes in its accept queue before it closes.
      providers: config.hasRole('api') ? [AcceptQueueDrain] : [],
    };
  }
}
