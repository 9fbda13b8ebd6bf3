import { Module } from '@nestjs/common';
import { OutboxRelay } from './outbox.relay';

/** The relay role (ROLES=relay): publishes the outbox to Kafka. */
@Module({ providers: [OutboxRelay] })
export class RelayModule {}
