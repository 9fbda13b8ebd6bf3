/**
 * Writes the contract's JSON Schemas to libs/contracts/schemas/ as the "last released" copies
 * (`npm run contracts:release-schemas`, when a version of the package is released). The
 * compatibility check in `npm test` compares the code's schemas with these files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONTRACT_SCHEMAS } from '../src/schemas';

export const RELEASED_DIR = path.resolve(__dirname, '..', 'schemas');

export function releasedFile(name: string): string {
  return path.join(RELEASED_DIR, `${name}.json`);
}

if (require.main === module) {
  mkdirSync(RELEASED_DIR, { recursive: true });
  for (const [name, schema] of Object.entries(CONTRACT_SCHEMAS)) {
    writeFileSync(releasedFile(name), `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }, null, 2)}\n`);
  }
}
