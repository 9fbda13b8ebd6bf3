// setupFilesAfterEnv of the integration and e2e tiers: they talk to a real PostgreSQL and
// a real Kafka broker (topic creation, consumer group joins), so 5 s per test is too short;
// the bound is only against a hang, and a loaded machine makes everything several times slower.
// (testTimeout in jest.config.js is global in Jest 29, not per project.)
jest.setTimeout(120_000);
