// The broker's jars come from Maven Central through tools/kafka/pom.xml, fetched once into
// .local/kafka-libs (Maven caches the downloads in ~/.m2 as well).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { seconds } from './processes.mjs';

export const KAFKA_VERSION = '3.9.2';
const STAMP_FILE = '.pom.sha256';

/** @param {string} root */
export const kafkaLibsDir = (root) => path.join(root, '.local', 'kafka-libs');

/**
 * Makes sure .local/kafka-libs holds the classpath described by tools/kafka/pom.xml.
 * Runs Maven only when the folder is missing or the pom changed since the last fetch
 * (the folder keeps the pom's sha256), so a warm start costs nothing.
 * @param {{ root: string, log?: (line: string) => void }} options
 */
export async function ensureKafkaClasspath({ root, log = console.error }) {
  const pom = path.join(root, 'tools', 'kafka', 'pom.xml');
  const libs = kafkaLibsDir(root);
  const pomHash = createHash('sha256').update(readFileSync(pom)).digest('hex');
  if (readStamp(libs) === pomHash) return libs;

  const startedAt = Date.now();
  log(`fetching Apache Kafka ${KAFKA_VERSION} from Maven Central (first run only, ~1 min)…`);
  // Fill a private folder and rename it at the end: an interrupted fetch never leaves a
  // half-filled classpath behind, and jars of an older pom never mix with new ones.
  const staging = `${libs}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await runMaven(['-B', '-q', '-Dstyle.color=never', '-f', pom, `-Dkafka.libs.dir=${staging}`, 'package']);
    writeFileSync(path.join(staging, STAMP_FILE), `${pomHash}\n`);
    rmSync(libs, { recursive: true, force: true });
    renameSync(staging, libs);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  log(`Apache Kafka ${KAFKA_VERSION} classpath ready in .local/kafka-libs (${seconds(startedAt)})`);
  return libs;
}

/** @param {string} libs */
function readStamp(libs) {
  const stamp = path.join(libs, STAMP_FILE);
  return existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
}

/**
 * @param {string[]} args
 * @returns {Promise<void>}
 */
function runMaven(args) {
  return /** @type {Promise<void>} */ (new Promise((resolve, reject) => {
    // stdin ignored: CI has none, and `-B` keeps Maven from prompting or drawing progress.
    const mvn = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // If our process exits mid-fetch (Ctrl-C, error), do not leave Maven running.
    const killMaven = () => mvn.kill('SIGTERM');
    process.once('exit', killMaven);
    let output = '';
    const collect = (/** @type {Buffer} */ chunk) => { output = (output + chunk).slice(-20_000); };
    mvn.stdout.on('data', collect);
    mvn.stderr.on('data', collect);
    mvn.once('error', (/** @type {NodeJS.ErrnoException} */ error) => {
      process.removeListener('exit', killMaven);
      reject(new Error(error.code === 'ENOENT'
        ? 'Maven (mvn) is not on PATH; it is needed once to fetch the Kafka broker jars'
        : `could not run Maven: ${error.message}`));
    });
    mvn.once('close', (code, signal) => {
      process.removeListener('exit', killMaven);
      if (code === 0) return resolve();
      const tail = output.trimEnd().split('\n').slice(-30).join('\n');
      reject(new Error(`Maven failed to fetch Kafka (${signal ?? `exit code ${code}`}):\n${tail}`));
    });
  }));
}
