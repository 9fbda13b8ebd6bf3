// server.properties for a single-node KRaft broker (broker and controller in one JVM).

/**
 * @param {{ port: number, controllerPort: number, logDir: string, secured?: SecuredListener }} options
 * @returns {string} the file's content
 */
export function kafkaServerProperties({ port, controllerPort, logDir, secured }) {
  const listener = secured ? 'SASL_SSL' : 'PLAINTEXT';
  const settings = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `${listener}://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    // A secured listener advertises the name its certificate was issued for.
    'advertised.listeners': `${listener}://${secured ? secured.host : '127.0.0.1'}:${port}`,
    'listener.security.protocol.map': `${listener}:${listener},CONTROLLER:PLAINTEXT`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': listener,
    'log.dirs': logDir,
    ...(secured ? securedListenerSettings(secured) : {}),

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

/**
 * @typedef {object} SecuredListener
 * @property {string} host              the name clients use (the server certificate's)
 * @property {string} keyStoreFile      the server's PEM key followed by its certificate
 * @property {string} trustStoreFile    PEM CA certificates that sign client certificates
 * @property {{ name: string, password: string }} broker  the broker's own SCRAM-SHA-512 user
 * @property {Record<string, string>} plainUsers          name → password for SASL/PLAIN
 */

/**
 * SASL_SSL as managed Kafka services run it: TLS with client certificates required (mutual
 * TLS), then SASL with SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN. SCRAM users live in the cluster
 * metadata (created at format time, see kafka.mjs); PLAIN users in the listener's JAAS entry.
 * @param {{ keyStoreFile: string, trustStoreFile: string, broker: { name: string, password: string }, plainUsers: Record<string, string> }} options
 */
function securedListenerSettings({ keyStoreFile, trustStoreFile, broker, plainUsers }) {
  const jaas = (/** @type {string} */ module, /** @type {Record<string, string>} */ options) => `${module} required ${Object.entries(options).map(([key, value]) => `${key}="${value}"`).join(' ')};`;
  const scram = jaas('org.apache.kafka.common.security.scram.ScramLoginModule', { username: broker.name, password: broker.password });
  const plainOptions = { username: broker.name, password: broker.password, ...Object.fromEntries(Object.entries(plainUsers).map(([name, password]) => [`user_${name}`, password])) };
  return {
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': keyStoreFile,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': trustStoreFile,
    'listener.name.sasl_ssl.ssl.client.auth': 'required',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512,SCRAM-SHA-256,PLAIN',
    'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': scram,
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': scram,
    'listener.name.sasl_ssl.plain.sasl.jaas.config': jaas('org.apache.kafka.common.security.plain.PlainLoginModule', plainOptions),
  };
}
