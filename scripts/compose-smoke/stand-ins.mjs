// Stand-ins for the base images that cannot be pulled here, built under the exact names the
// Dockerfile and docker-compose.yml use. An image of that name that is not a stand-in (a
// real pull) is always kept. A stand-in is rebuilt only when its inputs changed (their hash
// is a label on the image). What each differs in: STAND-INS.md.
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { debianMirror } from './host.mjs';
import { run, say, step } from './shell.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const images = path.join(here, 'images');
const LABEL = 'customer-service.stand-in.inputs';
// The npm that Node 20's own releases bundle (npm 11 ignores nothing the Dockerfile relies
// on, but the official image has npm 10, and the Dockerfile's comments are about npm 10).
const NPM_VERSION = '10.8.2';

const BASE = 'debian:bookworm-slim';
const STAND_INS = [
  { name: 'node:20-bookworm-slim', dir: 'node', extra: () => [process.version, NPM_VERSION, hostExtraCas()], prepare: nodeContext },
  { name: 'postgres:15', dir: 'postgres', extra: () => [] },
  { name: 'apache/kafka:3.9.2', dir: 'kafka', extra: () => [], prepare: kafkaContext },
];

/**
 * @param {string} workDir
 * @returns {Promise<string[]>} one line per image: its name and where it came from
 */
export async function ensureStandIns(workDir) {
  const report = [];
  const needed = [];
  for (const image of STAND_INS) {
    const inputs = hashOf(path.join(images, image.dir), image.extra());
    const state = await imageState(image.name, inputs);
    if (state === 'official') report.push(`${image.name}: the image present locally (not a stand-in)`);
    else if (state === 'current') report.push(`${image.name}: stand-in, up to date`);
    else needed.push({ ...image, inputs });
  }
  if (needed.length === 0) return report;

  const baseInputs = hashOf(path.join(images, 'debian'), [debianMirror()]);
  const baseState = await imageState(BASE, baseInputs);
  if (baseState === 'stale' || baseState === 'missing') {
    await step(`stand-in ${BASE}: debootstrap bookworm from ${debianMirror()} (2–4 min)`, async () => {
      await run(path.join(images, 'debian', 'slim.sh'), [BASE, debianMirror(), path.join(workDir, 'debian')]);
      await labelImage(BASE, baseInputs);
    });
  }
  for (const image of needed) {
    await step(`stand-in ${image.name}: docker build`, async () => {
      const context = path.join(workDir, 'contexts', image.dir);
      rmSync(context, { recursive: true, force: true });
      cpSync(path.join(images, image.dir), context, { recursive: true });
      const buildArgs = (await image.prepare?.(context, workDir)) ?? [];
      await run('docker', ['build', '--label', `${LABEL}=${image.inputs}`, ...buildArgs, '-t', image.name, context], {
        env: { DOCKER_BUILDKIT: '0' },
      });
      rmSync(context, { recursive: true, force: true });
    });
    report.push(`${image.name}: stand-in, built now`);
  }
  return report;
}

/**
 * @param {string} name
 * @param {string} inputs
 */
async function imageState(name, inputs) {
  const inspected = await run('docker', ['image', 'inspect', '--format', '{{json .Config.Labels}}', name], { allowFailure: true, quiet: true });
  if (inspected.code !== 0) return 'missing';
  const labels = JSON.parse(inspected.stdout || 'null') ?? {};
  if (!(LABEL in labels)) return 'official';
  return labels[LABEL] === inputs ? 'current' : 'stale';
}

/** `docker import` cannot label: a one-line build on top adds the inputs label. */
/**
 * @param {string} name
 * @param {string} inputs
 */
async function labelImage(name, inputs) {
  await run('docker', ['build', '--label', `${LABEL}=${inputs}`, '-t', name, '-'], { input: `FROM ${name}\n`, env: { DOCKER_BUILDKIT: '0' } });
}

/**
 * @param {string} dir
 * @param {readonly string[]} extra
 */
function hashOf(dir, extra) {
  const hash = createHash('sha256');
  const walk = (/** @type {string} */ current) => {
    for (const entry of readdirSync(current).sort()) {
      const file = path.join(current, entry);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(`${path.relative(dir, file)}\0${statSync(file).mode & 0o111}\0`).update(readFileSync(file));
    }
  };
  walk(dir);
  for (const item of extra) hash.update(`\0${item}`);
  return hash.digest('hex').slice(0, 16);
}

/** The machine's own Node 20 binary and the npm release Node 20 bundles. */
/**
 * @param {string} context
 * @param {string} workDir
 */
async function nodeContext(context, workDir) {
  if (process.versions.node.split('.')[0] !== '20') {
    throw new Error(`the node:20 stand-in is built from the running Node, which is ${process.version}; run the smoke with Node 20`);
  }
  cpSync(process.execPath, path.join(context, 'node'));
  const packs = path.join(workDir, 'npm-pack');
  mkdirSync(packs, { recursive: true });
  const tarball = path.join(packs, `npm-${NPM_VERSION}.tgz`);
  try {
    statSync(tarball);
  } catch {
    await run('npm', ['pack', `npm@${NPM_VERSION}`, '--pack-destination', packs, '--silent'], { quiet: true });
  }
  await run('tar', ['-xzf', tarball, '-C', context]);
  await run('mv', [path.join(context, 'package'), path.join(context, 'npm')]);
  const extraCas = hostExtraCas();
  if (extraCas) {
    // This machine reaches the npm registry only through a TLS-inspecting proxy whose CA the
    // host trusts; `npm ci` inside the project's Dockerfile needs to trust it too.
    writeFileSync(path.join(context, 'host-extra-ca.crt'), extraCas);
    appendFileSync(path.join(context, 'Dockerfile'), [
      '# Added by the smoke on a machine with extra CAs (STAND-INS.md): its registry proxy.',
      'COPY host-extra-ca.crt /usr/local/share/ca-certificates/host-extra-ca.crt',
      'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host-extra-ca.crt',
      '',
    ].join('\n'));
  }
  return ['--build-arg', `NODE_VERSION=${process.versions.node}`];
}

/** The CAs the host added to its trust store (Debian's place for local CAs), concatenated. */
function hostExtraCas() {
  const dir = '/usr/local/share/ca-certificates';
  /** @type {string[]} */
  const files = [];
  const walk = (/** @type {string} */ current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const file = path.join(current, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.crt')) files.push(file);
    }
  };
  try {
    walk(dir);
  } catch {
    return '';
  }
  return files.sort().map((file) => readFileSync(file, 'utf8').trim()).join('\n') + (files.length ? '\n' : '');
}

/** Apache Kafka 3.9.2 and its tools from Maven Central (cached in ~/.m2 after the first run). */
/** @param {string} context */
async function kafkaContext(context) {
  say('  fetching Apache Kafka 3.9.2 jars from Maven Central (cached in ~/.m2 after the first run)');
  await run('mvn', ['-B', '-q', '-Dstyle.color=never', '-f', path.join(context, 'pom.xml'), `-Dkafka.libs.dir=${path.join(context, 'libs')}`, 'package']);
  rmSync(path.join(context, 'target'), { recursive: true, force: true });
  return [];
}
