import { Admin } from 'kafkajs';
import { KafkaClient } from '../kafka/kafka-client';

/**
 * A Kafka admin connection owned by one background monitor (never shared with topic
 * provisioning or another monitor), connected on first use. After a failed check it is
 * dropped only once the pending request has settled (kafkajs reconnects an admin disconnected
 * under a pending request, and that connection would never be closed); the next use connects anew.
 */
export class MonitorAdmin {
  private admin?: Promise<Admin>;

  constructor(private readonly client: KafkaClient) {}

  connected(): Promise<Admin> {
    this.admin ??= this.connect();
    return this.admin;
  }

  async drop(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((connected) => connected.disconnect()).catch(() => undefined);
  }

  private async connect(): Promise<Admin> {
    const admin = this.client.kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      return admin;
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }
}
