import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { buildSync } from 'esbuild';

/** A program bundled: its files by name (the entry, `main.mjs`, and the chunks it imports). */
export interface Bundle {
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly hash: string;
}

// Hex digits of a bundle's content hash, which names its directory.
const hashDigits = 16;

/** The file of a bundle that node runs. */
export const bundleEntry = 'main.mjs';

// esbuild needs an output directory to name chunks by; nothing is written there.
const virtualOutput = '/lbspec-bundle';

/**
 * A TypeScript program (the backend fixture, the reference, a broken balancer) as ESM files for
 * plain node: a process starts in a tenth of the time it takes with a TypeScript loader, and a
 * scenario starts several. What a program imports dynamically (the reference's connection pool to
 * backends, 460 KB of its 1 MB) goes to a chunk of its own, read only when first needed. Container images
 * carry the same files.
 */
export function bundleProgram(entry: string, { sourceMaps = false } = {}): Bundle {
  const result = buildSync({
    // Inline maps lead coverage back to the TypeScript sources; without them a bundle starts lighter.
    // Sources are named relative to the virtual output directory; the root makes them absolute.
    ...(sourceMaps ? { sourcemap: 'inline', sourcesContent: false, sourceRoot: `${virtualOutput}/` } : {}),
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: virtualOutput,
    entryNames: 'main',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    write: false,
    logLevel: 'silent',
    // Bundled CommonJS dependencies call require(); ESM output has none of its own.
    banner: {
      js: "import { createRequire as lbspecRequire } from 'node:module'; const require = lbspecRequire(import.meta.url);",
    },
  });
  const files = new Map(
    result.outputFiles.map((file) => [relative(virtualOutput, file.path), file.contents] as const),
  );
  if (!files.has(bundleEntry)) throw new Error(`bundling ${entry} produced no ${bundleEntry}`);
  const hash = createHash('sha256');
  for (const [name, contents] of [...files].sort(([a], [b]) => a.localeCompare(b)))
    hash.update(name).update(contents);
  return { files, hash: hash.digest('hex').slice(0, hashDigits) };
}

/**
 * How node runs the TypeScript program `entry`: its bundle, with source maps while coverage is
 * collected (NODE_V8_COVERAGE, as c8 sets it), so that what ran is counted against the sources.
 */
export function programArguments(entry: string): string[] {
  return [bundledScript(entry, { sourceMaps: process.env.NODE_V8_COVERAGE !== undefined })];
}

/**
 * How node runs a fixture (the backend server): always from its bundle, and left out of coverage,
 * which measures the harness and the reference, not fixtures; each scenario starts several, and a
 * TypeScript loader costs 0.7 s of CPU per start.
 */
export function fixtureProcess(entry: string): { args: string[]; env: NodeJS.ProcessEnv } {
  return { args: [bundledScript(entry)], env: { ...process.env, NODE_V8_COVERAGE: undefined } };
}

const scripts = new Map<string, string>();
const directory = join(tmpdir(), 'lbspec-bundles');

/**
 * The path of `entry`'s bundle entry, built once per process and kept by content hash, so concurrent
 * workers and later runs share one directory (written under a temporary name, then renamed: atomic).
 */
export function bundledScript(entry: string, { sourceMaps = false } = {}): string {
  const key = `${entry}${sourceMaps ? ' with source maps' : ''}`;
  let path = scripts.get(key);
  if (path === undefined) {
    const { files, hash } = bundleProgram(entry, { sourceMaps });
    const program = basename(entry).replace(/\.ts$/, '');
    const bundleDirectory = join(directory, `${program}-${hash}`);
    if (existsSync(bundleDirectory)) {
      markUsed(bundleDirectory);
    } else {
      writeBundle(files, bundleDirectory);
      removeStaleBundles(program, Date.now());
    }
    path = join(bundleDirectory, bundleEntry);
    scripts.set(key, path);
  }
  return path;
}

/** How long a bundle no run has used is kept: each change to a program's code makes a new one. */
const staleAfterMs = 24 * 60 * 60 * 1000;

/** A directory under the bundle directory, as found there. */
export interface BundleDirectory {
  readonly name: string;
  readonly mtimeMs: number;
}

/**
 * The bundles of `program` (and the partial ones its writers left) that no run has used within
 * `staleAfterMs` of `now`; a run that uses a bundle renews its time.
 */
export function staleBundles(found: readonly BundleDirectory[], program: string, now: number): string[] {
  const ofProgram = new RegExp(
    `^${program.replace(/[^\w]/g, '\\$&')}-[0-9a-f]{${hashDigits}}(\\.\\d+\\.partial)?$`,
  );
  return found
    .filter((bundle) => ofProgram.test(bundle.name) && now - bundle.mtimeMs > staleAfterMs)
    .map((bundle) => bundle.name);
}

function removeStaleBundles(program: string, now: number): void {
  const found: BundleDirectory[] = [];
  for (const name of readdirSync(directory)) {
    try {
      found.push({ name, mtimeMs: statSync(join(directory, name)).mtimeMs });
    } catch {
      // Removed by a concurrent run meanwhile.
    }
  }
  for (const name of staleBundles(found, program, now))
    rmSync(join(directory, name), { recursive: true, force: true });
}

function markUsed(bundleDirectory: string): void {
  const now = new Date();
  try {
    utimesSync(bundleDirectory, now, now);
  } catch {
    // A concurrent run found it stale in the moment between; the process start will say so.
  }
}

function writeBundle(files: ReadonlyMap<string, Uint8Array>, target: string): void {
  const partial = `${target}.${process.pid}.partial`;
  mkdirSync(partial, { recursive: true });
  for (const [name, contents] of files) writeFileSync(join(partial, name), contents);
  try {
    renameSync(partial, target);
  } catch (error) {
    // Another worker renamed the same bundle into place first.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(target)) throw error;
  }
}
