import type { HealthCheckConfig } from '../config/types.ts';
import { type ProbeResult, probe, type UpstreamSpeech } from './probe.ts';

/**
 * Probes each target at once and then every intervalMs (measured between probe starts; a probe still
 * running when the next is due delays it, so probes of one backend never overlap) until stopped.
 */
export class ActiveChecker<T extends { readonly host: string; readonly port: number }> {
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;

  constructor(
    targets: readonly T[],
    readonly check: HealthCheckConfig,
    onResult: (target: T, result: ProbeResult) => void,
    speech: UpstreamSpeech = { http2: false },
  ) {
    for (const target of targets) {
      const loop = async (): Promise<void> => {
        const startedAt = performance.now();
        const result = await probe(target, check, speech);
        if (this.#stopped) return;
        onResult(target, result);
        const timer = setTimeout(
          () => {
            this.#timers.delete(timer);
            void loop();
          },
          Math.max(0, startedAt + check.intervalMs - performance.now()),
        );
        timer.unref();
        this.#timers.add(timer);
      };
      void loop();
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
