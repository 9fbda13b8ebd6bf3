import { Global, Module } from '@nestjs/common';
import { KafkaClient } from './kafka-client';
import { TopicProvisioner } from './topic-provisioner';

@Global()
@Module({ providers: [KafkaClient, TopicProvisioner], exports: [KafkaClient, TopicProvisioner] })
export class KafkaModule {}
