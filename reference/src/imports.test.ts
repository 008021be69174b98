// The reference's modules form a tree of layers, not a web: no module imports, directly or through
// others, one that imports it back. A loop makes a module impossible to read, test or replace alone.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

/** Every module (tests aside) and the modules of this tree it imports. */
function importGraph(): Map<string, string[]> {
  const modules = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
  );
  return new Map(
    modules.map((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      const imported = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+\.ts)'/gms)].map(
        (match) => relative(root, join(root, dirname(file), match[1] as string)),
      );
      return [file, imported];
    }),
  );
}

/** One import loop, as the chain of modules that closes it, if there is any. */
export function findLoop(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (module: string): string[] | undefined => {
    const at = path.indexOf(module);
    if (at >= 0) return [...path.slice(at), module];
    if (done.has(module) || !graph.has(module)) return undefined;
    path.push(module);
    for (const next of graph.get(module) ?? []) {
      const loop = visit(next);
      if (loop) return loop;
    }
    path.pop();
    done.add(module);
    return undefined;
  };
  for (const module of graph.keys()) {
    const loop = visit(module);
    if (loop) return loop;
  }
  return undefined;
}

test('a loop is found where there is one, and only there', () => {
  assert.deepEqual(
    findLoop(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
      ]),
    ),
    ['a', 'b', 'c', 'a'],
  );
  assert.equal(
    findLoop(
      new Map([
        ['a', ['b', 'c']],
        ['b', ['c']],
        ['c', []],
      ]),
    ),
    undefined,
  );
});

test('no module of the reference imports itself back through others', () => {
  const graph = importGraph();
  assert.ok(graph.size > 50, `only ${graph.size} modules read`);
  const loop = findLoop(graph);
  assert.equal(loop, undefined, `an import loop: ${loop?.join(' -> ')}`);
});
