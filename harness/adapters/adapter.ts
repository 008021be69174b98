import type { DeclaredCapabilities } from '../spec/capabilities.ts';
import type { ConfigDocument } from '../spec/config-document.ts';

/** Who is under test, as reports name it. */
export interface AdapterDescription {
  readonly name: string;
  readonly version: string;
  readonly capabilities: DeclaredCapabilities;
}

/** Plugs a balancer into the suite: starts it on a neutral config, and says what it supports. */
export interface BalancerAdapter {
  readonly name: string;
  describe(): Promise<AdapterDescription>;
  /**
   * Starts the balancer; resolves once it serves `config` on every listener. When it does not,
   * rejects with a BalancerStartError where the adapter can tell how the start went.
   */
  start(config: ConfigDocument): Promise<StartedBalancer>;
}

/** A balancer that did not come up, with what its start left to look at: command, config, output. */
export class BalancerStartError extends Error {
  constructor(
    cause: Error,
    readonly evidence: string,
  ) {
    super(cause.message, { cause });
  }
}

/** A running balancer, owned by one scenario. */
export interface StartedBalancer extends AsyncDisposable {
  /** Serves `config` from now on; resolves only once the new config is live. */
  reconfigure(config: ConfigDocument): Promise<void>;
  /**
   * Offers `config` by reload and resolves with the balancer's reason for refusing it, once its
   * admin status reports the refusal; rejects if the config goes live. Only for balancers whose
   * admin endpoint reports reloads (capability reload-validation).
   */
  offerRefusedConfig?(config: ConfigDocument): Promise<string>;
  /** Stops the balancer (idempotent). */
  stop(): Promise<void>;
  /**
   * Asks the balancer to stop gracefully, the way its adapter says (a signal to its main process),
   * and resolves once it has exited, with how ("exit code 0"); it is never forced meanwhile.
   */
  stopGracefully(): Promise<string>;
  /** The config it runs, how it was started and its output: attached to a failed scenario. */
  evidence(): Promise<string>;
  /** Its main process as the host sees it, for memory checks; undefined where the host cannot see it. */
  readonly pid?: number | undefined;
  /** Set when the balancer exited without being told to: the scenario must fail. */
  readonly unexpectedExit: string | undefined;
}
