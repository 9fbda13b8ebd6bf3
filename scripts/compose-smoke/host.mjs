// What the host needs, installed from Debian's packages when missing: Docker Engine
// (docker.io), Docker Compose v2 (the `docker compose` plugin, from Debian 13's
// docker-compose package), debootstrap and curl; and a running Docker daemon.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run, say, waitFor } from './shell.mjs';

const PACKAGES = { dockerd: 'docker.io', docker: 'docker.io', debootstrap: 'debootstrap', curl: 'curl', mvn: 'maven' };
// Debian 12 has only Compose v1 (the Python docker-compose 1.29); Debian 13 packages v2, a Go
// binary that needs nothing newer than Debian 12's libc. Only its plugin file is taken.
const COMPOSE_SUITE = 'trixie';
const COMPOSE_VERSION = '2.26.1-4';
const PLUGIN = '/usr/local/lib/docker/cli-plugins/docker-compose';

export function assertRoot() {
  if (process.getuid?.() !== 0) {
    throw new Error('compose:smoke installs packages and runs the Docker daemon: run it as root');
  }
}

const onPath = (/** @type {string} */ name) => (process.env.PATH ?? '').split(':').some((dir) => existsSync(path.join(dir, name)));

export async function ensurePackages() {
  const missing = [...new Set(Object.entries(PACKAGES).filter(([bin]) => !onPath(bin)).map(([, pkg]) => pkg))];
  if (missing.length === 0) return 'all present';
  await run('apt-get', ['update', '-qq']);
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  return `installed ${missing.join(', ')}`;
}

/** The Debian mirror apt already uses (the note in shared/notes/containers.md). */
export function debianMirror() {
  const files = ['/etc/apt/sources.list', ...listDir('/etc/apt/sources.list.d').map((f) => path.join('/etc/apt/sources.list.d', f))];
  for (const file of files.filter((f) => /\.(list|sources)$/.test(f) && existsSync(f))) {
    const text = readFileSync(file, 'utf8');
    const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s+bookworm\s/m.exec(text);
    if (oneLine) return oneLine[1];
    for (const stanza of text.split(/\n\s*\n/)) {
      const uri = /^URIs:\s*(\S+\/debian)\/?\s*$/m.exec(stanza);
      if (uri && /^Suites:.*\bbookworm\b/m.test(stanza) && !/^Enabled:\s*no/mi.test(stanza)) return uri[1];
    }
  }
  return 'http://deb.debian.org/debian';
}

/** @param {string} dir */
function listDir(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** @param {string} workDir */
export async function ensureComposeV2(workDir) {
  const present = await run('docker', ['compose', 'version', '--short'], { allowFailure: true, quiet: true });
  if (present.code === 0) return `Docker Compose ${present.stdout.trim()}`;
  // A private apt state: the host's sources and installed packages are left as they are.
  const aptDir = path.join(workDir, `apt-${COMPOSE_SUITE}`);
  for (const sub of ['lists/partial', 'cache/archives/partial', 'deb']) mkdirSync(path.join(aptDir, sub), { recursive: true });
  const sources = path.join(aptDir, 'sources.list');
  writeFileSync(sources, `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${debianMirror()} ${COMPOSE_SUITE} main\n`);
  const options = [
    '-o', `Dir::Etc::SourceList=${sources}`, '-o', 'Dir::Etc::SourceParts=/dev/null',
    '-o', `Dir::State::Lists=${path.join(aptDir, 'lists')}`, '-o', `Dir::Cache=${path.join(aptDir, 'cache')}`,
    '-o', 'APT::Sandbox::User=root',
  ];
  await run('apt-get', [...options, 'update', '-qq']);
  const debDir = path.join(aptDir, 'deb');
  await run('apt-get', [...options, 'download', `docker-compose=${COMPOSE_VERSION}`], { cwd: debDir });
  const deb = listDir(debDir).find((f) => f.endsWith('.deb'));
  const extracted = path.join(aptDir, 'extracted');
  rmSync(extracted, { recursive: true, force: true });
  await run('dpkg-deb', ['-x', path.join(debDir, /** @type {string} the download above made it */ (deb)), extracted]);
  mkdirSync(path.dirname(PLUGIN), { recursive: true });
  await run('install', ['-m', '0755', path.join(extracted, 'usr/libexec/docker/cli-plugins/docker-compose'), PLUGIN]);
  const version = (await run('docker', ['compose', 'version', '--short'], { quiet: true })).trim();
  return `installed Docker Compose ${version} (${PLUGIN})`;
}

/**
 * Uses the Docker daemon that answers; otherwise starts dockerd and returns how to stop it.
 * @param {string} workDir
 * @returns {Promise<{ description: string, stop: () => Promise<void> }>}
 */
export async function ensureDaemon(workDir) {
  const answers = async () => (await run('docker', ['info', '--format', '{{.ServerVersion}}'], { allowFailure: true, quiet: true })).code === 0;
  if (await answers()) {
    const version = (await run('docker', ['info', '--format', '{{.ServerVersion}}'], { quiet: true })).trim();
    return { description: `Docker Engine ${version} (already running)`, stop: async () => {} };
  }
  const log = path.join(workDir, 'dockerd.log');
  const daemon = spawn('dockerd', [], { detached: true, stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')] });
  daemon.unref();
  const exited = new Promise((resolve) => daemon.once('exit', resolve));
  await waitFor('the Docker daemon to answer', async () => {
    if (daemon.exitCode !== null) throw new Error(`dockerd exited (${daemon.exitCode}); see ${log}`);
    return answers();
  }, { timeoutMs: 60_000 });
  const version = (await run('docker', ['info', '--format', '{{.ServerVersion}}'], { quiet: true })).trim();
  return {
    description: `Docker Engine ${version} (started for this run, log ${log})`,
    stop: async () => {
      if (daemon.exitCode !== null) return;
      daemon.kill('SIGTERM');
      const timer = setTimeout(() => daemon.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
      say('  Docker daemon stopped');
    },
  };
}
