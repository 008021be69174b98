// The check of a balancer's memory growth against a bound, for the scenarios that measure it.
import { ExpectationError } from '../../harness/checks/expectations.ts';
import type { MemoryGrowth } from '../../harness/processes/memory.ts';
import { mediaTypes } from '../../harness/report/media-types.ts';
import type { LbWorld } from './world.ts';

const mebibyte = 1024 * 1024;

/**
 * 'skipped' (the scenario is reported as not run, saying why) when this host cannot see the
 * balancer's memory, as for a balancer in a container; undefined when `memory` was measured.
 */
export function skippedUnlessMeasured(world: LbWorld, memory: MemoryGrowth): 'skipped' | undefined {
  if (!('unmeasurable' in memory)) return undefined;
  world.attach(`not run: cannot measure the balancer's memory: ${memory.unmeasurable}`, mediaTypes.notRun);
  return 'skipped';
}

/**
 * Throws unless `memory` grew by less than `boundMb` MB `during` something; `why` says what the
 * bound stands for. Returns 'skipped' where the memory could not be measured.
 */
export function expectGrowthBelow(
  world: LbWorld,
  memory: MemoryGrowth,
  boundMb: number,
  during: string,
  why: string,
): 'skipped' | undefined {
  if ('unmeasurable' in memory) return skippedUnlessMeasured(world, memory);
  if (memory.grewBytes >= boundMb * mebibyte) {
    throw new ExpectationError(
      `during ${during} the balancer's resident memory peaked ${(memory.grewBytes / mebibyte).toFixed(1)} MB above where it began; ${why} (bound ${boundMb} MB)`,
    );
  }
  return undefined;
}
