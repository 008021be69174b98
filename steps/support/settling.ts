/** Waiting for the traffic to settle after a change, within the bounds the change allows. */
import {
  type ChangeMark,
  expectNotSooner,
  expectSettledWithin,
  type RoutingGoal,
  sendUntilSettled,
} from '../../harness/checks/routing.ts';
import type { Exchange } from '../../harness/clients/traffic.ts';
import { timeouts } from '../../harness/timing/timeouts.ts';
import type { LbWorld } from './world.ts';

/**
 * Sends requests one after another until the traffic settles on `goal`; it must do so within
 * `withinMs` of the scenario's last change and, when `notSoonerMs` is given, reach backends that
 * were not in use before no sooner than that, and `checkNewcomers` holds for those backends while
 * their logs still cover the change. Backend counts start from zero afterwards.
 */
export async function settleOn(
  world: LbWorld,
  goal: RoutingGoal,
  bounds: { readonly withinMs: number; readonly notSoonerMs?: number; readonly explanation: string },
  checkNewcomers: (newcomers: ReadonlySet<string>, mark: ChangeMark) => Promise<void> = async () => {},
): Promise<void> {
  const mark = world.lastChange;
  if (!mark) throw new Error('the scenario made no change to wait for');
  const client = world.traffic.openClient();
  let settled: Awaited<ReturnType<typeof sendUntilSettled>>;
  try {
    // Recorded as they come, so a wait that runs out leaves its traffic for the evidence.
    settled = await sendUntilSettled(
      client,
      goal,
      bounds.withinMs * 2 + timeouts.timingSlackMs * 4,
      (exchange) => world.traffic.exchanges.push(exchange),
    );
  } finally {
    await client.close();
  }
  const { exchanges, settledIndex } = settled;
  world.traffic.settledIndex = world.traffic.exchanges.indexOf(exchanges[settledIndex] as Exchange);
  expectSettledWithin(exchanges[settledIndex] as Exchange, mark, bounds.withinMs, bounds.explanation);
  const target = goal.kind === 'backends' ? goal.ids : new Set<string>();
  const newcomers = new Set([...target].filter((id) => !world.routedTo.has(id)));
  await checkNewcomers(newcomers, mark);
  if (bounds.notSoonerMs !== undefined) {
    expectNotSooner(exchanges, newcomers, mark, bounds.notSoonerMs, bounds.explanation);
  }
  world.routedTo = target;
  await world.backends.resetStats();
}
