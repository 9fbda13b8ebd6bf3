// docker-compose.yml's one-shot `auth-secret` service: makes the HS256 secret file named by
// AUTH_JWT_SECRET_FILE, which the service reads (it never gets AUTH_JWT_SECRET itself: setting
// both is a configuration error).
//  - AUTH_JWT_SECRET set (your own, from the shell that runs `docker compose up`): written into
//    the file, replacing what was there;
//  - otherwise, when the file does not exist yet: 32 random bytes, base64url, so every stack has
//    its own secret and none is written in the repository. An existing file is kept: restarts
//    and `down`/`up` keep tokens valid; `down -v` drops it.
// The file is readable by its owner only.
import { randomBytes } from 'node:crypto';
import { linkSync, renameSync, rmSync, writeFileSync } from 'node:fs';

const file = process.env.AUTH_JWT_SECRET_FILE;
if (!file) {
  process.stderr.write('jwt-secret-file: AUTH_JWT_SECRET_FILE must name the file to create\n');
  process.exit(2);
}
const explicit = process.env.AUTH_JWT_SECRET?.trim();
if (explicit !== undefined && explicit !== '' && explicit.length < 32) {
  process.stderr.write('jwt-secret-file: AUTH_JWT_SECRET is too short; expected at least 32 characters\n');
  process.exit(2);
}
// Written in full under a private name, then moved or linked into place, so a concurrent or
// repeated run never exposes half a secret.
const staging = `${file}.${process.pid}.tmp`;
writeFileSync(staging, `${explicit || randomBytes(32).toString('base64url')}\n`, { mode: 0o400, flag: 'wx' });
try {
  if (explicit) {
    renameSync(staging, file);
    process.stdout.write(`jwt-secret-file: wrote AUTH_JWT_SECRET into ${file}\n`);
  } else {
    // The link fails if the file exists: a generated secret never replaces one.
    linkSync(staging, file);
    process.stdout.write(`jwt-secret-file: created a new secret in ${file}\n`);
  }
} catch (error) {
  if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
  process.stdout.write(`jwt-secret-file: kept the existing secret in ${file}\n`);
} finally {
  rmSync(staging, { force: true });
}
