import { readFile } from 'node:fs/promises';
import { processTree } from '../harness/processes/memory.ts';

// The unit of utime/stime in /proc/<pid>/stat: USER_HZ, 100 on Linux for every architecture.
const ticksPerSecond = 100;

/** CPU seconds (user + system) spent so far by a process and its live descendants. */
export async function treeCpuSeconds(pid: number): Promise<number> {
  let ticks = 0;
  for (const member of await processTree(pid)) {
    const stat = await readFile(`/proc/${member}/stat`, 'utf8').catch(() => '');
    ticks += cpuTicks(stat);
  }
  return ticks / ticksPerSecond;
}

/** utime + stime of one /proc/<pid>/stat line; 0 for an empty one (the process has gone). */
export function cpuTicks(stat: string): number {
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Field 3 (state) is fields[0], so utime (field 14) and stime (field 15) are fields[11] and [12].
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0) || 0;
}
