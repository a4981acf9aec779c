/**
 * The package folder (the one holding package.json, config/ and models/), found from this file's
 * compiled location dist/src/config/, so it is right both in a checkout and where colcon installs it.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** A user-given path: absolute as is, relative to the package folder otherwise. */
export function resolvePackagePath(path: string): string {
  return isAbsolute(path) ? path : resolve(packageRoot(), path);
}
