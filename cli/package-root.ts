import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where lbspec is installed (or checked out): its features, steps, fixtures and reference. */
export const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** cucumber-js's own entry point, wherever npm placed the package (hoisted or not). */
export function cucumberEntryPoint(): string {
  const manifest = createRequire(import.meta.url).resolve('@cucumber/cucumber/package.json');
  return join(dirname(manifest), 'bin', 'cucumber.js');
}
