import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const LIBRARY = path.resolve(__dirname, '..');

/** The consumer kit ships as its own npm package: `npm pack` builds it, and what it packs stands alone. */
describe('the @customer-service/contracts package', () => {
  let packDir: string;
  let files: string[];
  beforeAll(() => {
    packDir = mkdtempSync(path.join(tmpdir(), 'contracts-pack-'));
    const [{ filename }] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: LIBRARY, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    ) as { filename: string }[];
    files = execFileSync('tar', ['-tzf', path.join(packDir, filename)], { encoding: 'utf8' }).trim().split('\n');
  }, 180_000);
  afterAll(() => {
    rmSync(packDir, { recursive: true, force: true });
    rmSync(path.join(LIBRARY, 'dist'), { recursive: true, force: true });
  });

  it('packs built JavaScript, type declarations and the JSON Schemas, and no tests', () => {
    expect(files).toEqual(expect.arrayContaining(['package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/consumer/decode.d.ts', 'package/package.json']));
    expect(files.some((file) => file.startsWith('package/schemas/') && file.endsWith('.json'))).toBe(true);
    expect(files.filter((file) => /spec\.|\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
  });

  it('loads with nothing from apps/ and no path aliases', () => {
    const built = readFileSync(path.join(LIBRARY, 'dist', 'consumer', 'decode.js'), 'utf8');
    expect(built).not.toMatch(/apps\/|@app\//);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the built package as a consumer would
    const kit = require(path.join(LIBRARY, 'dist')) as Record<string, unknown>;
    expect(typeof kit.decodeCustomerEvent).toBe('function');
    expect(typeof kit.bootstrapFromSnapshots).toBe('function');
    expect(kit.CUSTOMER_SNAPSHOTS_TOPIC).toBe('customer.snapshots.v1');
  });

  it('pins every dependency to an exact version', () => {
    const manifest = JSON.parse(readFileSync(path.join(LIBRARY, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    for (const version of [...Object.values(manifest.dependencies), ...Object.values(manifest.peerDependencies)]) {
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });
});
