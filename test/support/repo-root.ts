import path from 'node:path';

/** The repository's root, for tests that start processes or read files relative to it. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
