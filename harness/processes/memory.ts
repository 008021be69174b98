import { readdir, readFile, writeFile } from 'node:fs/promises';
import { pollUntil } from '../timing/waiting.ts';

/** A process and its descendants (nginx and HAProxy serve from worker children), from /proc. */
export async function processTree(pid: number): Promise<number[]> {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    const parent = tree[i] as number;
    const tasks = await readdir(`/proc/${parent}/task`).catch(() => [] as string[]);
    for (const task of tasks) {
      const children = await readFile(`/proc/${parent}/task/${task}/children`, 'utf8').catch(() => '');
      for (const child of children.split(' ').filter(Boolean)) tree.push(Number(child));
    }
  }
  return tree;
}

/**
 * Starts a new measurement of peak memory: the kernel's high-water mark of resident memory (VmHWM)
 * of every process in the tree is set back to its current resident size (`clear_refs` 5).
 */
export async function resetPeakMemory(pid: number): Promise<void> {
  for (const member of await processTree(pid))
    await writeFile(`/proc/${member}/clear_refs`, '5').catch(() => {});
}

/** Resident memory of the tree now, and the sum of its members' peaks since the last reset, in bytes. */
export async function treeMemory(pid: number): Promise<{ residentBytes: number; peakBytes: number }> {
  let residentBytes = 0;
  let peakBytes = 0;
  for (const member of await processTree(pid)) {
    const status = await readFile(`/proc/${member}/status`, 'utf8').catch(() => '');
    residentBytes += kibibytes(status, 'VmRSS') * 1024;
    peakBytes += kibibytes(status, 'VmHWM') * 1024;
  }
  return { residentBytes, peakBytes };
}

function kibibytes(status: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
}

/** How much a balancer's memory grew during something, or why it could not be measured. */
export type MemoryGrowth = { readonly grewBytes: number } | { readonly unmeasurable: string };

/** Runs `work` and measures how far the peak memory of process `pid` (with its children) rose above where it began. */
export async function measureGrowth<T>(
  pid: number | undefined,
  work: () => Promise<T>,
): Promise<{ result: T; memory: MemoryGrowth }> {
  if (pid === undefined) {
    return {
      result: await work(),
      memory: {
        unmeasurable: 'the balancer runs where this host cannot see its processes (e.g. a container)',
      },
    };
  }
  await resetPeakMemory(pid);
  const before = await treeMemory(pid);
  const result = await work();
  const after = await treeMemory(pid);
  if (before.peakBytes === 0)
    return { result, memory: { unmeasurable: `/proc/${pid}/status shows no memory` } };
  return { result, memory: { grewBytes: Math.max(0, after.peakBytes - before.residentBytes) } };
}

/**
 * Resolves once the resident memory of process `pid` (with its children) has moved by less than
 * `byBytes` over the last `stillMs`: whatever it was taking in, it holds no more. Samples every
 * 50 ms; rejects after `timeoutMs`, saying how much it moved last.
 */
export async function memorySettles(
  pid: number,
  { stillMs = 500, byBytes = 4 * 1024 * 1024, timeoutMs = 10_000 } = {},
): Promise<void> {
  const samples: { readonly atMs: number; readonly bytes: number }[] = [];
  await pollUntil(
    async () => {
      const atMs = Date.now();
      samples.push({ atMs, bytes: (await treeMemory(pid)).residentBytes });
      // The window reaches back from its first sample inside `stillMs` to the one before it.
      const inside = samples.findIndex((sample) => sample.atMs >= atMs - stillMs);
      if (inside < 1) return undefined;
      const window = samples.slice(inside - 1).map((sample) => sample.bytes);
      const movedBytes = Math.max(...window) - Math.min(...window);
      if (movedBytes < byBytes) return true;
      throw new Error(`it moved ${(movedBytes / 1024 / 1024).toFixed(1)} MiB in the last ${stillMs} ms`);
    },
    { what: `the memory of process ${pid} to stop growing`, timeoutMs, pollMs: 50 },
  );
}
