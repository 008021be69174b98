import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { buildSync } from 'esbuild';

/**
 * A TypeScript program (the backend fixture, the reference, a broken balancer) as one ESM file for
 * plain node: a process starts in a tenth of the time it takes with a TypeScript loader, and a
 * scenario starts several. Container images carry the same bundle.
 */
export function bundleProgram(entry: string): { readonly program: Uint8Array; readonly hash: string } {
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // Bundled CommonJS dependencies call require(); ESM output has none of its own.
    banner: {
      js: "import { createRequire as lbspecRequire } from 'node:module'; const require = lbspecRequire(import.meta.url);",
    },
  });
  const program = result.outputFiles[0]?.contents;
  if (!program) throw new Error(`bundling ${entry} produced no output`);
  return { program, hash: createHash('sha256').update(program).digest('hex').slice(0, 16) };
}

/**
 * How node runs the TypeScript program `entry`: its bundle, except while coverage is collected
 * (NODE_V8_COVERAGE, as c8 sets it), where the source must run as itself to be counted.
 */
export function programArguments(entry: string): string[] {
  return process.env.NODE_V8_COVERAGE ? ['--import', tsxLoader, entry] : [bundledScript(entry)];
}

const tsxLoader = import.meta.resolve('tsx');
const scripts = new Map<string, string>();
const directory = join(tmpdir(), 'lbspec-bundles');

/**
 * The path of `entry`'s bundle, built once per process and kept by content hash, so concurrent
 * workers and later runs share one file (written under a temporary name, then renamed: atomic).
 */
export function bundledScript(entry: string): string {
  let path = scripts.get(entry);
  if (path === undefined) {
    const { program, hash } = bundleProgram(entry);
    mkdirSync(directory, { recursive: true });
    path = join(directory, `${basename(entry).replace(/\.ts$/, '')}-${hash}.mjs`);
    if (!existsSync(path)) {
      const partial = `${path}.${process.pid}.partial`;
      writeFileSync(partial, program);
      renameSync(partial, path);
    }
    scripts.set(entry, path);
  }
  return path;
}
