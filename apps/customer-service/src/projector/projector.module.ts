import { Module } from '@nestjs/common';
import { ConsumerLagMonitor } from './consumer-lag.monitor';
import { CustomerProjector } from './customer.projector';
import { ProjectionMetrics } from './projection.metrics';
import { ReadModelWriter } from './read-model.writer';

/** The projector role: Kafka events topic → read-model tables. */
@Module({ providers: [CustomerProjector, ReadModelWriter, ProjectionMetrics, ConsumerLagMonitor] })
export class ProjectorModule {}
