// A projector alone in a process of its own, for the crash test: it is killed with SIGKILL
// mid-batch, so it must not share the Jest worker. Built from the projector's own classes
// without Nest (nothing else of the service is needed), configured from the environment.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { Registry } from 'prom-client';
import { loadConfig } from '../../apps/customer-service/src/config/app-config';
import { CustomerProjector } from '../../apps/customer-service/src/projector/customer.projector';
import { ProjectionMetrics } from '../../apps/customer-service/src/projector/projection.metrics';
import { ReadModelWriter } from '../../apps/customer-service/src/projector/read-model.writer';
import { typeOrmOptions } from '../../apps/customer-service/src/database/typeorm-options';
import { KafkaClient } from '../../apps/customer-service/src/kafka/kafka-client';
import { TopicProvisioner } from '../../apps/customer-service/src/kafka/topic-provisioner';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const dataSource = await new DataSource(typeOrmOptions(config.database, 'projector-process')).initialize();
  const topics = { whenReady: () => Promise.resolve() } as unknown as TopicProvisioner;
  const metrics = new ProjectionMetrics(new Registry());
  const projector = new CustomerProjector(config, new KafkaClient(config), topics, dataSource, new ReadModelWriter(), metrics);
  projector.onApplicationBootstrap();
}

void main();
