// server.properties for a single-node KRaft broker (broker and controller in one JVM).

/**
 * @param {{ port: number, controllerPort: number, logDir: string }} options
 * @returns {string} the file's content
 */
export function kafkaServerProperties({ port, controllerPort, logDir }) {
  const settings = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': logDir,

    // Topics are created explicitly by the service (with KRaft, a kafkajs consumer that
    // subscribes to a missing topic fails instead of waiting: kafkajs issue #1563).
    'auto.create.topics.enable': false,
    'num.partitions': 1,
    // One broker: every replication factor and ISR minimum must be 1.
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    // Consumer groups start at once instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms': 0,
    // Tests use short session timeouts to notice a stopped consumer quickly.
    'group.min.session.timeout.ms': 1000,
    // Fewer internal partitions: creating __consumer_offsets (50 by default) costs
    // seconds on a 2-core machine, at the first consumer group of every fresh test run.
    'offsets.topic.num.partitions': 4,
    'transaction.state.log.num.partitions': 4,

    // Small thread pools and no leftovers: this broker serves one developer or one test run.
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    'background.threads': 4,
    'log.retention.hours': 24,
    'log.segment.bytes': 64 * 1024 * 1024,
    'delete.topic.enable': true,
  };
  return Object.entries(settings).map(([key, value]) => `${key}=${value}`).join('\n') + '\n';
}
