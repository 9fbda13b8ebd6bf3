import { readFileSync } from 'node:fs';

/**
 * Readers of single settings, shared by the configuration loaders of this folder. Each throws a
 * {@link ConfigError} whose message is one line naming the setting; secret values are never
 * part of it.
 */
export class ConfigError extends Error {}

export type Env = Record<string, string | undefined>;

export function fail(name: string, value: string | undefined, expected: string): never {
  const shown = value === undefined ? 'is not set' : `is ${JSON.stringify(value)}`;
  throw new ConfigError(`Invalid configuration: ${name} ${shown}; expected ${expected}.`);
}

/** A failure whose value must not be shown (a secret, or a URL that may hold one). */
export function failWithout(name: string, problem: string, expected: string): never {
  throw new ConfigError(`Invalid configuration: ${name} ${problem}; expected ${expected}.`);
}

/** The trimmed value; empty counts as unset. */
export function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

export function text(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    fail(name, value, `an integer from ${min} to ${max}`);
  }
  return parsed;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  fail(name, value, 'true or false');
}

export function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) fail(name, value, `one of ${allowed.join(', ')}`);
  return value as T;
}

/**
 * A secret setting: `NAME` itself, or the content of the file named by `NAME_FILE` (the
 * convention of the official Docker images and of Kubernetes secrets mounted as files), with
 * its trailing line breaks removed. Both set is an error: which one wins would be a guess.
 */
export function secret(env: Env, name: string): string | undefined {
  const direct = raw(env, name);
  const fileName = `${name}_FILE`;
  const file = raw(env, fileName);
  if (file === undefined) return direct;
  if (direct !== undefined) failWithout(`${name} and ${fileName}`, 'are both set', 'only one of them');
  const content = readSetting(fileName, file).replace(/[\r\n]+$/, '');
  if (content === '') fail(fileName, file, 'a file holding the secret (this one is empty)');
  return content;
}

/** The content of a file named by a setting (a certificate, a key), or undefined when unset. */
export function fileContent(env: Env, name: string): string | undefined {
  const file = raw(env, name);
  return file === undefined ? undefined : readSetting(name, file);
}

function readSetting(name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    fail(name, file, `a readable file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
}
