// docker-compose.yml's one-shot `auth-secret` service: creates the HS256 secret file named by
// AUTH_JWT_SECRET_FILE when it does not exist yet (32 random bytes, base64url, readable by its
// owner only), so every stack has its own secret and none is written in the repository. An
// existing file is kept: restarts and `down`/`up` keep tokens valid; `down -v` drops it.
import { randomBytes } from 'node:crypto';
import { linkSync, rmSync, writeFileSync } from 'node:fs';

const file = process.env.AUTH_JWT_SECRET_FILE;
if (!file) {
  process.stderr.write('jwt-secret-file: AUTH_JWT_SECRET_FILE must name the file to create\n');
  process.exit(2);
}
// Written in full under a private name, then linked into place: the link fails if the file
// exists, so a concurrent or repeated run never replaces a secret or exposes half of one.
const staging = `${file}.${process.pid}.tmp`;
writeFileSync(staging, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o400, flag: 'wx' });
try {
  linkSync(staging, file);
  process.stdout.write(`jwt-secret-file: created a new secret in ${file}\n`);
} catch (error) {
  if (error.code !== 'EEXIST') throw error;
  process.stdout.write(`jwt-secret-file: kept the existing secret in ${file}\n`);
} finally {
  rmSync(staging, { force: true });
}
