// The layer rules of this codebase, checked by `npm run lint:deps` (part of `npm test`).
// Layout and the reasons behind each rule: README "Layout" and docs/adr/0009.
//
// SRC is the service's source root; paths are matched against repo-relative file names.
const SRC = '^apps/customer-service/src/';

/** Tests may cross layers to check them end to end; the layer rules bind production code. */
const TEST_FILE = '\\.(spec|int-spec|e2e-spec)\\.ts$';

/** Modules the projector may use besides its own folder: the contract, the read model and
 *  the shared kernels. Anything else (HTTP, auth, the write side) would stop it from being
 *  split into its own app without moving code. */
const PROJECTOR_MAY_USE = ['projector', 'read-model', 'database', 'config', 'kafka', 'logging', 'tracing', 'health', 'fields'];

/** Frameworks, drivers and transports that the domain must not know about. */
const INFRASTRUCTURE_PACKAGES =
  '^(@nestjs/|@fastify/|fastify|typeorm|pg($|/)|pg-|kafkajs|nestjs-pino|pino|@opentelemetry/|prom-client)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two modules are one module with two names; break it by moving the shared part down.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'commands-not-queries',
      severity: 'error',
      comment: 'The write side (customers/commands) and the read side (customers/queries) share only the module-level shapes in customers/.',
      from: { path: `${SRC}customers/commands/`, pathNot: TEST_FILE },
      to: { path: `${SRC}customers/queries/` },
    },
    {
      name: 'queries-not-commands',
      severity: 'error',
      comment: 'The read side never reaches into the write side; what both need lives in customers/ or a shared kernel.',
      from: { path: `${SRC}customers/queries/`, pathNot: TEST_FILE },
      to: { path: `${SRC}customers/(commands|domain)/` },
    },
    {
      name: 'domain-is-plain-typescript',
      severity: 'error',
      comment: 'The aggregate and its rules import no framework, driver or transport, and no infrastructure module of the app.',
      from: { path: `${SRC}customers/domain/`, pathNot: TEST_FILE },
      to: {
        path: [
          `node_modules/${INFRASTRUCTURE_PACKAGES.slice(1)}`,
          `${SRC}(http|database|kafka|outbox|projector|read-model|idempotency|auth|management|metrics|health|tracing|startup)/`,
        ],
      },
    },
    {
      name: 'projector-stands-alone',
      severity: 'error',
      comment: 'The projector depends only on libs/contracts, the read model and shared kernels, so it could become its own app.',
      from: { path: `${SRC}projector/`, pathNot: TEST_FILE },
      to: { path: SRC, pathNot: `${SRC}(${PROJECTOR_MAY_USE.join('|')})/` },
    },
    {
      name: 'contracts-stand-alone',
      severity: 'error',
      comment: 'libs/contracts is what consumers install; it imports nothing from the apps.',
      from: { path: '^libs/contracts/', pathNot: TEST_FILE },
      to: { path: '^apps/' },
    },
    {
      name: 'ledger-example-uses-only-the-kit',
      severity: 'error',
      comment: 'The reference ledger shows what a consumer can build from libs/contracts alone; it never reaches into the service.',
      from: { path: '^apps/ledger-example/', pathNot: TEST_FILE },
      to: { path: '^apps/customer-service/' },
    },
    {
      name: 'fields-are-a-kernel',
      severity: 'error',
      comment: 'The field rules are used by requests, queries and the projector; they import no app module.',
      from: { path: `${SRC}fields/`, pathNot: TEST_FILE },
      to: { path: SRC, pathNot: `${SRC}fields/` },
    },
    {
      name: 'shared-http-knows-no-feature',
      severity: 'error',
      comment: 'http/ is request plumbing shared by every module; features import it, never the reverse.',
      from: { path: `${SRC}http/`, pathNot: TEST_FILE },
      to: { path: `${SRC}(customers|projector|outbox|idempotency|read-model|app\\.module)` },
    },
    {
      name: 'read-model-is-passive',
      severity: 'error',
      comment: 'The read model is tables and their names; the projector writes it, the queries read it.',
      from: { path: `${SRC}read-model/`, pathNot: TEST_FILE },
      to: { path: `${SRC}(customers|projector|http)/` },
    },
    {
      name: 'source-never-imports-tests',
      severity: 'error',
      comment: 'Production code must not depend on test helpers.',
      from: { path: '^(apps|libs)/', pathNot: TEST_FILE },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing fails at run time.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|\\.local)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
  },
};
