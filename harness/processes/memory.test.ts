import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { memorySettles, treeMemory } from './memory.ts';

/** A node process that allocates `megabytes` MiB, one MiB every 20 ms, then idles until killed. */
function growing(megabytes: number) {
  const script = `const kept = []; const grow = setInterval(() => { kept.push(Buffer.alloc(1024 * 1024, 1)); if (kept.length >= ${megabytes}) clearInterval(grow); }, 20); setInterval(() => {}, 1000);`;
  return spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
}

test('memory settles at once for a process that holds steady, and only once growth stops for one that grows', async (t) => {
  const steady = growing(0);
  const grower = growing(40);
  t.after(() => {
    steady.kill();
    grower.kill();
  });
  // Both listened for at once: a process may have spawned while the other was awaited.
  await Promise.all([once(steady, 'spawn'), once(grower, 'spawn')]);
  await memorySettles(steady.pid as number, { stillMs: 300 });
  await memorySettles(grower.pid as number, { stillMs: 300 });
  // 40 MiB at 1 MiB per 20 ms: it settles only once (nearly) all of it is resident.
  assert.ok((await treeMemory(grower.pid as number)).residentBytes > 35 * 1024 * 1024);
});

test('memory that keeps growing past the deadline is an error naming the process', async (t) => {
  const grower = growing(400);
  t.after(() => grower.kill());
  await once(grower, 'spawn');
  await assert.rejects(
    memorySettles(grower.pid as number, { stillMs: 300, timeoutMs: 600 }),
    /the memory of process \d+ to stop growing \(last: it moved/,
  );
});
