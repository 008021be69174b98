/**
 * Every time budget of the harness, in one place. LBSPEC_TIME_SCALE (default 1) multiplies them all
 * for slow machines: LBSPEC_TIME_SCALE=3 npx cucumber-js.
 */
export function readTimeScale(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new Error(
      `LBSPEC_TIME_SCALE="${value}" is not a positive number; unset it or use e.g. LBSPEC_TIME_SCALE=2`,
    );
  }
  return scale;
}

const scale = readTimeScale(process.env.LBSPEC_TIME_SCALE);

export const timeouts = {
  /** A backend process starts and reports its ports. */
  backendStartMs: 10_000 * scale,
  /** A balancer starts and accepts on every listener (and serves its config epoch, if it reports one). */
  balancerStartMs: 15_000 * scale,
  /** A reconfigured balancer serves the new config. */
  reconfigureMs: 15_000 * scale,
  /** A backend's health or load changes as a comparison asks, and the balancer's probes see it. */
  settleMs: 10_000 * scale,
  /** A process exits after SIGTERM before it is killed. */
  processStopMs: 5_000 * scale,
  /** One client request or connection, from send to complete answer. */
  requestMs: 10_000 * scale,
  /** One step; generous, since the budgets above bound everything a step waits for. */
  stepMs: 120_000 * scale,
  /**
   * What a timing bound (health checks, ejections, backoff, timeouts) allows on top of the configured
   * durations for scheduling delays on a busy machine.
   */
  timingSlackMs: 500 * scale,
  /** Pause between two polls of a condition. Not scaled: it trades CPU for latency only. */
  pollMs: 20,
} as const;
