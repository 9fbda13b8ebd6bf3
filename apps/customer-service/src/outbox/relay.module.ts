import { Module } from '@nestjs/common';
import { OutboxRelay } from './outbox.relay';
import { RelayMetrics } from './relay.metrics';

/** The relay role (ROLES=relay): publishes the outbox to Kafka. */
@Module({ providers: [OutboxRelay, RelayMetrics] })
export class RelayModule {}
