import {
  type Exchange,
  exchangeUntil,
  type LoadShape,
  openClient,
  type RequestShape,
  type SequentialClient,
  sendLoad,
  sendLoadFor,
  sendLoadWhile,
  sendMixedHttpRequests,
  sendSharedLoad,
  type TcpConversation,
} from '../../harness/clients/traffic.ts';
import type { ListenerProtocol } from '../../harness/spec/config-document.ts';
import { timeouts } from '../../harness/timing/timeouts.ts';
import { pollUntil } from '../../harness/timing/waiting.ts';

/** Where clients send: the balancer's first listener. */
export interface TrafficTarget {
  readonly address: string;
  readonly protocol: ListenerProtocol;
}

/** Clients running in the background while the scenario changes things. */
interface ContinuousTraffic {
  readonly clients: number;
  readonly done: Promise<Exchange[]>;
  readonly stop: () => void;
  /** Requests begun so far. */
  sent(): number;
}

/**
 * What one scenario's clients sent through the balancer and what came back (the log steps check),
 * and the ways of sending it.
 */
export class ScenarioTraffic {
  readonly #target: () => TrafficTarget;
  /** Every exchange so far, in the order each batch finished. */
  exchanges: Exchange[] = [];
  /** Index into `exchanges` where the traffic last settled: "after that" means from here. */
  settledIndex = 0;
  /** Index into `exchanges` where the last batch a step calls "those requests" began. */
  mark = 0;
  /** How long the last `send` took from first request to last answer. */
  lastSendMs = 0;
  /** The last TCP conversation and what the client sent in it. */
  tcpConversation: (TcpConversation & { readonly sent: Buffer }) | undefined;
  #continuous: ContinuousTraffic | undefined;

  constructor(target: () => TrafficTarget) {
    this.#target = target;
  }

  /** A client for one-after-another traffic on the listener. */
  openClient(request: RequestShape = {}): SequentialClient {
    const { address, protocol } = this.#target();
    return openClient(address, protocol, 0, request);
  }

  /** Requests (HTTP) or connections (TCP), by the listener's protocol. */
  async send(shape: LoadShape, request: RequestShape = {}): Promise<void> {
    const { address, protocol } = this.#target();
    const startedAt = performance.now();
    this.exchanges.push(...(await sendLoad(address, protocol, shape, request)));
    this.lastSendMs = performance.now() - startedAt;
  }

  /**
   * `total` requests, one at a time, from `clients` clients that take turns, each on a connection
   * of its own (kept alive between its turns): with as many clients as requests, every request
   * comes on a new connection.
   */
  async sendInTurns(clients: number, total: number): Promise<void> {
    const turns = Array.from({ length: clients }, () => this.openClient());
    try {
      for (let seq = 0; seq < total; seq++) {
        this.exchanges.push(await (turns[seq % clients] as SequentialClient).exchange(seq));
      }
    } finally {
      await Promise.all(turns.map((client) => client.close()));
    }
  }

  /** `total` requests shared by `clients` concurrent clients (see sendSharedLoad). */
  async sendShared(clients: number, total: number): Promise<void> {
    const { address, protocol } = this.#target();
    this.exchanges.push(...(await sendSharedLoad(address, protocol, clients, total)));
  }

  /** Requests of every method and body shape (see sendMixedHttpRequests). */
  async sendMixed(shape: LoadShape): Promise<void> {
    this.exchanges.push(...(await sendMixedHttpRequests(this.#target().address, shape)));
  }

  /** Keeps `clients` concurrent clients sending for `durationMs` (the load's length, not a wait). */
  async sendFor(clients: number, durationMs: number): Promise<void> {
    const { address, protocol } = this.#target();
    this.exchanges.push(...(await sendLoadFor(address, protocol, clients, durationMs)));
  }

  /**
   * Sends requests one after another, recording them, until `done` holds after an exchange; fails
   * naming `what` past `timeoutMs` (or as `timedOut` says). Returns those sent.
   */
  async sendUntil(
    done: (latest: Exchange, sent: readonly Exchange[]) => Promise<boolean> | boolean,
    what: string,
    timeoutMs: number,
    timedOut = (sent: readonly Exchange[]): Error =>
      new Error(`timed out after ${timeoutMs} ms and ${sent.length} requests waiting until ${what}`),
  ): Promise<Exchange[]> {
    const client = this.openClient();
    try {
      // Recorded as they come, so a timeout's evidence shows them too.
      const recording = (sent: readonly Exchange[]) => {
        const latest = sent.at(-1) as Exchange;
        this.exchanges.push(latest);
        return done(latest, sent);
      };
      return await exchangeUntil(client, recording, timeoutMs, timedOut);
    } finally {
      await client.close();
    }
  }

  /** Starts `clients` clients sending requests one after another until stopContinuous(). */
  startContinuous(clients: number): void {
    if (this.#continuous) throw new Error('continuous traffic is already running');
    const { address, protocol } = this.#target();
    let going = true;
    let sent = 0;
    const done = sendLoadWhile(
      address,
      protocol,
      clients,
      () => {
        if (going) sent++;
        return going;
      },
      { retryOnIdleClose: true },
    );
    this.#continuous = { clients, done, stop: () => (going = false), sent: () => sent };
  }

  get continuous(): boolean {
    return this.#continuous !== undefined;
  }

  /** Waits until every continuous client has sent a few more requests (after a change under `label`). */
  async continueAfter(label: string): Promise<void> {
    const continuous = this.#continuous;
    if (!continuous) return;
    const enough = continuous.sent() + 4 * continuous.clients;
    await pollUntil(() => (continuous.sent() >= enough ? true : undefined), {
      what: `${4 * continuous.clients} requests after "${label}"`,
      timeoutMs: timeouts.requestMs * 4,
    });
  }

  /** Stops the background traffic and records its exchanges. */
  async stopContinuous(): Promise<void> {
    const continuous = this.#continuous;
    if (!continuous) throw new Error('no continuous traffic was started');
    this.#continuous = undefined;
    continuous.stop();
    this.exchanges.push(...(await continuous.done));
  }

  /** Forgets every exchange so far. */
  forget(): void {
    this.exchanges = [];
  }

  /**
   * The requests sent again after a keep-alive connection closed (see ClientManners): their ids,
   * for the backends' logs to say whether a first attempt arrived after all.
   */
  resentRequestIds(): Set<string> {
    return new Set(
      this.exchanges.flatMap((exchange) => (exchange.firstAttempt ? [exchange.firstAttempt.requestId] : [])),
    );
  }

  /** The client log for a failed scenario's evidence (the first 500 exchanges). */
  describe(): string {
    const log = this.exchanges.map(
      (exchange) =>
        `client ${exchange.client} #${exchange.seq}: ${exchange.error ? `error ${exchange.error}` : (exchange.note ?? exchange.backendId)}${exchange.firstAttempt ? ` (sent again: the first attempt got ${exchange.firstAttempt.error})` : ''}`,
    );
    return `client log (${log.length} exchanges):\n${log.slice(0, 500).join('\n')}`;
  }
}
