// Summarises a V8 .cpuprofile (node --cpu-prof; `npm run bench -- --profile`): where the CPU
// went, by package (node_modules/<name>, node: internals, our own code) and by function.
//
//   node bench/profile-summary.mjs <file.cpuprofile> [--top N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N]\n');
  process.exit(2);
}
const top = Number(values.top);
/**
 * The parts of a V8 .cpuprofile read here.
 * @typedef {{ id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[] }} CpuProfile
 */
const profile = /** @type {CpuProfile} */ (JSON.parse(readFileSync(positionals[0], 'utf8')));

// Self time per node: the sampling interval after each sample is charged to the node sampled.
/** @type {Map<number, number>} */
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i + 1] ?? 0;
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + delta);
}
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
// A bench profile spans the whole run, most of it idle (the other servers' phases): shares are
// of the busy time, so two profiles of different lengths compare.
const isIdle = (/** @type {ProfileNode} */ node) => node.callFrame.functionName === '(idle)';
const busyUs = totalUs - profile.nodes.filter(isIdle).reduce((sum, node) => sum + (selfUs.get(node.id) ?? 0), 0);

/** @param {string} url */
function packageOf(url) {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node: internals';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  return url.includes('/dist/') || url.includes('/apps/') || url.includes('/libs/') || url.includes('/bench/') ? '(this repository)' : url;
}

/** @type {Map<string, number>} */
const byPackage = new Map();
/** @type {Map<string, number>} */
const byFunction = new Map();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (!us || isIdle(node)) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const pkg = packageOf(url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  const name = `${functionName || '(anonymous)'}  ${url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${lineNumber + 1}` : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}

/** Each busy sample charged once to every package on its stack. */
function inclusiveByPackage() {
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<number, number>} */
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  /** @type {Map<string, number>} */
  const inclusive = new Map();
  for (const [id, us] of selfUs) {
    const leaf = /** @type {ProfileNode} every sampled id is a node */ (byId.get(id));
    if (isIdle(leaf)) continue;
    const packages = new Set();
    for (let at = /** @type {number | undefined} */ (id); at !== undefined; at = parentOf.get(at)) {
      const { url } = /** @type {ProfileNode} */ (byId.get(at)).callFrame;
      if (url) packages.add(packageOf(url));
    }
    for (const pkg of packages) inclusive.set(pkg, (inclusive.get(pkg) ?? 0) + us);
  }
  return inclusive;
}

const percent = (/** @type {number} */ us) => `${((us / busyUs) * 100).toFixed(1).padStart(5)}%`;
const show = (/** @type {string} */ title, /** @type {Map<string, number>} */ map) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${percent(us)}  ${name}\n`);
};
process.stdout.write(`${positionals[0]}: ${(totalUs / 1e6).toFixed(1)} s sampled, ${(busyUs / 1e6).toFixed(1)} s busy (shares below are of the busy time)\n`);
show('self time by package', byPackage);
show('inclusive time by package (time with any of its frames on the stack)', inclusiveByPackage());
show('self time by function', byFunction);
