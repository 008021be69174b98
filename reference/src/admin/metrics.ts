import type { CircuitState } from '../resilience/circuit-breaker.ts';

/** A backend as GET /status describes it. */
export interface BackendState {
  readonly id: string;
  readonly healthy: boolean;
  readonly ejected: boolean;
  readonly circuit: CircuitState;
  readonly inFlight: number;
}

const circuitStates: readonly CircuitState[] = ['closed', 'open', 'half-open'];

/**
 * The backends' state in the Prometheus text format (version 0.0.4). Example line:
 *   lbspec_backend_circuit_state{pool="main",backend="b1",state="open"} 1
 * The circuit state is a state set: one series per state, 1 for the current one.
 */
export function renderMetrics(pools: Readonly<Record<string, readonly BackendState[]>>): string {
  const families = [
    { name: 'lbspec_backend_healthy', help: '1 if active health checks pass (or none run), else 0.' },
    { name: 'lbspec_backend_ejected', help: '1 while outlier detection has ejected the backend.' },
    { name: 'lbspec_backend_circuit_state', help: "The circuit breaker's state: 1 for the current one." },
    { name: 'lbspec_backend_in_flight', help: 'Requests (HTTP) or connections (TCP) in flight now.' },
  ];
  const samples = new Map<string, string[]>(families.map((family) => [family.name, []]));
  for (const [pool, backends] of Object.entries(pools)) {
    for (const backend of backends) {
      const labels = `pool="${escapeLabel(pool)}",backend="${escapeLabel(backend.id)}"`;
      samples.get('lbspec_backend_healthy')?.push(`{${labels}} ${backend.healthy ? 1 : 0}`);
      samples.get('lbspec_backend_ejected')?.push(`{${labels}} ${backend.ejected ? 1 : 0}`);
      for (const state of circuitStates) {
        samples
          .get('lbspec_backend_circuit_state')
          ?.push(`{${labels},state="${state}"} ${backend.circuit === state ? 1 : 0}`);
      }
      samples.get('lbspec_backend_in_flight')?.push(`{${labels}} ${backend.inFlight}`);
    }
  }
  const lines = families.flatMap(({ name, help }) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} gauge`,
    ...(samples.get(name) ?? []).map((sample) => `${name}${sample}`),
  ]);
  return `${lines.join('\n')}\n`;
}

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}
