import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { AttemptLedger, LedgerOpener } from '../attempt-ledger.ts';
import { admitAll, type RateLimiter, type Verdict } from '../limits/rate-limiter.ts';
import type { Routed, UpstreamRequest, UpstreamRequestShaper } from '../listener-context.ts';
import type { Upstream } from '../pools.ts';
import type { AttemptChoices } from './attempt-choices.ts';
import { forwardableHeaders } from './forwarding-headers.ts';
import { applyToHeaderList } from './header-rules.ts';
import { type FailureAnswers, type OwnAnswer, ownAnswerBody } from './own-answers.ts';
import type { RequestVetter } from './request-vetting.ts';
import type { RoutableRequest } from './router.ts';
import type { UpstreamClients } from './upstream-clients.ts';
import type { BackendSocket, BackendSockets, BackendUser } from './wire/backend-sockets.ts';
import { type PlainRequestHead, readRequestHead } from './wire/request-head.ts';
import {
  type AnswerSink,
  MalformedAnswerError,
  type ResponseHead,
  ResponseReader,
} from './wire/response-reader.ts';
import { sendHeldWrites, writeAtTurnEnd } from './wire/turn-writes.ts';

/** What the fast path asks of its listener. */
export interface FastPathListener {
  readonly clients: UpstreamClients;
  readonly openLedger: LedgerOpener;
  readonly vetRequest: RequestVetter;
  readonly failureAnswers: FailureAnswers;
  readonly requestKey: AttemptChoices['requestKey'];
  readonly resendsLost: AttemptChoices['resendsLost'];
  readonly shapeUpstreamRequest: UpstreamRequestShaper;
  routeFor(request: RoutableRequest): Routed | undefined;
  limitsFor(routed: Routed | undefined): readonly RateLimiter[];
  /**
   * Gives the connection to node's HTTP server, its unread bytes back in the socket first;
   * `routed`: the decision already made for its next request, which must not be made twice (a
   * split's rotation would move on twice).
   */
  handOver(socket: Socket, routed: Routed | undefined): void;
}

// Node's defaults, which a connection handed over to its HTTP server gets too.
const maxHeadBytes = 16 * 1024;
const keepAliveMs = 5_000;
// While an answer is under way, a client may send this much ahead before reading from it stops.
const maxAheadBytes = 64 * 1024;

/**
 * The byte-level fast path of an HTTP listener: for each plain request (see readRequestHead) that
 * routes to a pool without retries or affinity, the head is read and written by hand, and the
 * answer is passed on as it comes, without node's or undici's request and response objects (which
 * took two thirds of the balancer's time per request). At the first request that is anything else,
 * the connection goes to node's HTTP server, which serves it from then on. The answers, headers,
 * limits and failures are the same either way.
 */
export class FastPath {
  readonly #listener: FastPathListener;
  readonly #connections = new Set<FastConnection>();
  #closing = false;

  constructor(listener: FastPathListener) {
    this.#listener = listener;
  }

  /** Serves a client connection, until it closes or goes to node's HTTP server. */
  serve(socket: Socket): void {
    const connection = new FastConnection(socket, this.#listener, () => this.#closing);
    this.#connections.add(connection);
    socket.once('close', () => this.#connections.delete(connection));
  }

  /** Closes idle connections now, and each busy one once its answer is sent; takes no new requests. */
  closeIdleConnections(): void {
    this.#closing = true;
    for (const connection of this.#connections) connection.closeWhenIdle();
  }
}

/** One client connection on the fast path: its requests one after another, in order. */
class FastConnection {
  readonly #socket: Socket;
  readonly #listener: FastPathListener;
  readonly #closing: () => boolean;
  #unread: Buffer | undefined;
  #exchange: Exchange | undefined;
  #handedOver = false;
  readonly #onData = (bytes: Buffer): void => this.#read(bytes);
  readonly #onTimeout = (): void => {
    if (!this.#exchange && !this.#waiting) this.#socket.destroy();
  };
  readonly #onError = (): void => {
    this.#socket.destroy();
  };
  #paused = false;
  /** A request's rate limits are yet to answer (a shared store's). */
  #waiting = false;

  constructor(socket: Socket, listener: FastPathListener, closing: () => boolean) {
    this.#socket = socket;
    this.#listener = listener;
    this.#closing = closing;
    socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.once('close', () => this.#exchange?.clientGone());
    socket.setTimeout(keepAliveMs, this.#onTimeout);
  }

  closeWhenIdle(): void {
    if (this.#exchange || this.#waiting || this.#handedOver) return;
    sendHeldWrites(this.#socket);
    this.#socket.destroy();
  }

  #read(bytes: Buffer): void {
    this.#unread = this.#unread ? Buffer.concat([this.#unread, bytes]) : bytes;
    if (this.#exchange || this.#waiting) {
      if (this.#unread.length > maxAheadBytes && !this.#paused) {
        this.#paused = true;
        this.#socket.pause();
      }
      return;
    }
    this.#next();
  }

  // Serves the next request read whole, if any; hands the connection over at anything else.
  #next(): void {
    const unread = this.#unread;
    if (unread === undefined) {
      if (this.#paused) {
        this.#paused = false;
        this.#socket.resume();
      }
      return;
    }
    const reading = readRequestHead(unread, maxHeadBytes);
    if (reading.kind !== 'plain') {
      this.#handOver(undefined);
      return;
    }
    const { head } = reading;
    const decision = this.#decide(head);
    if (decision.kind === 'hand-over') {
      this.#handOver(decision.routed);
      return;
    }
    this.#unread = head.length < unread.length ? unread.subarray(head.length) : undefined;
    if (decision.kind !== 'later') {
      this.#act(decision, head);
      return;
    }
    this.#waiting = true;
    decision.decided.then(
      (settled) => {
        this.#waiting = false;
        if (!this.#socket.destroyed) this.#act(settled, head);
      },
      () => this.#socket.destroy(),
    );
  }

  #act(decision: Settled, head: PlainRequestHead): void {
    if (decision.kind === 'answer') {
      this.#answerOwn(decision.answer, head.closeAfter);
      return;
    }
    this.#exchange = new Exchange(this.#socket, head, decision, this.#listener, (keepOpen) =>
      this.#exchangeEnded(keepOpen && !head.closeAfter),
    );
  }

  /**
   * What to do with a plain request: hand it over when node's path is to serve it (a refusal the
   * vetting makes, a redirect, no route, retries or affinity to honour), else an answer of the
   * balancer's own (a rate limit's refusal, no backend), or a backend to forward it to; either of
   * these later, when a rate limit keeps its buckets in a shared store.
   */
  #decide(head: PlainRequestHead): Decision {
    const { rawHeaders } = head;
    const vetted = this.#listener.vetRequest(head.method, head.target, rawHeaders);
    if (!vetted.ok || vetted.authority !== undefined) return { kind: 'hand-over', routed: undefined };
    const header = (name: string): string | undefined => headerValue(rawHeaders, name);
    const routed = this.#listener.routeFor({
      method: head.method,
      host: vetted.host,
      target: vetted.target,
      header,
    });
    if (routed?.kind !== 'forward') return { kind: 'hand-over', routed };
    const { pool } = routed;
    // Node's path also speaks TLS and HTTP/2 to backends; the fast path writes HTTP/1.1 to plain sockets only.
    if (
      pool.config.retries !== undefined ||
      pool.config.stickySession !== undefined ||
      pool.config.tls !== undefined ||
      pool.config.http2
    )
      return { kind: 'hand-over', routed };
    const limits = this.#listener.limitsFor(routed);
    if (limits.length === 0) return this.#forwardDecision(head, routed, header, undefined);
    const limited = { peerAddress: this.#socket.remoteAddress ?? '', header };
    const verdict = admitAll(limits, limited);
    if (!(verdict instanceof Promise)) return this.#admitted(verdict, head, routed, header);
    // A limit kept in a shared store answers later: the connection waits for it, reading ahead.
    return { kind: 'later', decided: verdict.then((known) => this.#admitted(known, head, routed, header)) };
  }

  #admitted(verdict: Verdict, head: PlainRequestHead, routed: ForwardRouted, header: HeaderLookup): Settled {
    if (!verdict.allowed)
      return {
        kind: 'answer',
        answer: { status: verdict.status, message: verdict.message, headers: verdict.headers },
      };
    return this.#forwardDecision(head, routed, header, verdict.headers);
  }

  #forwardDecision(
    head: PlainRequestHead,
    routed: ForwardRouted,
    header: HeaderLookup,
    answerHeaders: Readonly<Record<string, string>> | undefined,
  ): Settled {
    const { pool } = routed;
    const clientAddress = this.#socket.remoteAddress;
    const key =
      pool.config.hashKey === undefined
        ? undefined
        : this.#listener.requestKey({
            target: head.target,
            clientAddress,
            clientPort: this.#socket.remotePort,
            header,
          });
    const upstream = pool.pick(undefined, key);
    if (!upstream) return { kind: 'answer', answer: this.#listener.failureAnswers.noBackend(pool) };
    return {
      kind: 'forward',
      upstream,
      routed,
      requestHead: requestHead(
        head.method,
        this.#listener.shapeUpstreamRequest(head.rawHeaders, clientAddress, routed, 'http'),
      ),
      answerHeaders,
    };
  }

  #answerOwn(answer: OwnAnswer, closeAfter: boolean): void {
    writeAtTurnEnd(this.#socket, ownAnswerText(answer, closeAfter || this.#closing()));
    this.#afterAnswer(!closeAfter);
  }

  #exchangeEnded(keepOpen: boolean): void {
    this.#exchange = undefined;
    this.#afterAnswer(keepOpen);
  }

  #afterAnswer(keepOpen: boolean): void {
    if (!keepOpen || this.#closing()) {
      this.#socket.end();
      return;
    }
    this.#next();
  }

  #handOver(routed: Routed | undefined): void {
    this.#handedOver = true;
    const socket = this.#socket;
    sendHeldWrites(socket);
    socket.off('data', this.#onData);
    socket.off('timeout', this.#onTimeout);
    socket.off('error', this.#onError);
    socket.setTimeout(0);
    socket.pause();
    if (this.#unread) socket.unshift(this.#unread);
    this.#unread = undefined;
    this.#listener.handOver(socket, routed);
    socket.resume();
  }
}

type ForwardRouted = Routed & { kind: 'forward' };
type HeaderLookup = (name: string) => string | undefined;

/** What the fast path does with a request, once its limits have answered. */
type Settled =
  | { readonly kind: 'answer'; readonly answer: OwnAnswer }
  | {
      readonly kind: 'forward';
      readonly upstream: Upstream;
      readonly routed: ForwardRouted;
      readonly requestHead: string;
      readonly answerHeaders: Readonly<Record<string, string>> | undefined;
    };

type Decision =
  | { readonly kind: 'hand-over'; readonly routed: Routed | undefined }
  | { readonly kind: 'later'; readonly decided: Promise<Settled> }
  | Settled;

/**
 * One request forwarded to one backend, and its answer passed on. A request lost on a kept-alive
 * connection the backend closed goes once more on a new one, if the listener resends lost requests
 * of its method (RFC 9112 9.3.1: it is a GET or HEAD, without a body).
 */
class Exchange implements BackendUser, AnswerSink {
  readonly #client: Socket;
  readonly #request: PlainRequestHead;
  readonly #decision: Decision & { kind: 'forward' };
  // Where its backend connections come from and go back to (kept even if a reload drops the address).
  readonly #sockets: BackendSockets;
  readonly #ended: (keepOpen: boolean) => void;
  readonly #reader: ResponseReader;
  readonly #ledger: AttemptLedger;
  #backend: BackendSocket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timedOut = false;
  #head: ResponseHead | undefined;
  // The answer's head as it goes to the client, until the first body bytes go with it.
  #pendingHead: string | undefined;
  #closeClient = false;
  #finished = false;
  #resent = false;
  #answerBytes = 0;
  #waitingForDrain = false;
  readonly #failureAnswers: FailureAnswers;
  readonly #resendsLost: AttemptChoices['resendsLost'];

  constructor(
    client: Socket,
    request: PlainRequestHead,
    decision: Decision & { kind: 'forward' },
    listener: Pick<FastPathListener, 'clients' | 'openLedger' | 'failureAnswers' | 'resendsLost'>,
    ended: (keepOpen: boolean) => void,
  ) {
    this.#client = client;
    this.#request = request;
    this.#decision = decision;
    this.#sockets = listener.clients.socketsFor(decision.upstream.address);
    this.#ended = ended;
    this.#reader = new ResponseReader(this, request.method === 'HEAD');
    this.#ledger = listener.openLedger(decision.upstream);
    this.#failureAnswers = listener.failureAnswers;
    this.#resendsLost = listener.resendsLost;
    this.#send(this.#sockets.take());
  }

  /** The client closed its connection: the backend's connection goes too, its answer unread. */
  clientGone(): void {
    if (this.#finished) return;
    this.#finish(false);
    this.#backend?.socket.destroy();
  }

  #send(reused: BackendSocket | undefined): void {
    const { upstream } = this.#decision;
    const { connectMs, responseMs } = upstream.pool.config.timeouts;
    if (reused) {
      this.#write(reused, responseMs);
      return;
    }
    this.#sockets.connect(connectMs, (error, backend) => {
      if (this.#finished) {
        backend?.socket.destroy();
        return;
      }
      if (error || !backend) this.#failBeforeHead(error ?? new Error('no connection'));
      else this.#write(backend, responseMs);
    });
  }

  #write(backend: BackendSocket, responseMs: number): void {
    this.#backend = backend;
    backend.lend(this);
    writeAtTurnEnd(backend.socket, this.#decision.requestHead, 'latin1');
    this.#timer ??= setTimeout(() => this.#timeOut(responseMs), responseMs);
  }

  #timeOut(responseMs: number): void {
    this.#timedOut = true;
    const message = this.#head
      ? `the backend sent nothing for ${responseMs} ms in the middle of its answer`
      : `no answer within ${responseMs} ms`;
    this.#backend?.socket.destroy(new Error(message));
  }

  // BackendUser: the backend connection's bytes and its end.

  data(bytes: Buffer): void {
    this.#answerBytes += bytes.length;
    if (this.#head) this.#timer?.refresh();
    try {
      this.#reader.push(bytes);
    } catch (error) {
      this.#backend?.socket.destroy(error as Error);
    }
  }

  closed(error: Error | undefined): void {
    if (this.#finished) return;
    if (this.#head) {
      if (this.#reader.endsAtClose && !error) {
        this.#reader.end();
        return;
      }
      this.#cutClient();
      return;
    }
    const backend = this.#backend;
    this.#backend = undefined;
    // Closed before a byte of answer on a connection that carried answers: the backend closed it
    // as the request went out, so it goes once more, on a new connection.
    if (
      !this.#resent &&
      !this.#timedOut &&
      backend !== undefined &&
      backend.answers > 0 &&
      this.#answerBytes === 0 &&
      this.#resendsLost(this.#request.method, true)
    ) {
      this.#resent = true;
      this.#send(undefined);
      return;
    }
    this.#failBeforeHead(error ?? new Error('the backend closed the connection before answering'));
  }

  // AnswerSink: the parts of the backend's answer as the reader finds them.

  head(head: ResponseHead): void {
    const { routed, answerHeaders } = this.#decision;
    this.#head = head;
    this.#ledger.record({ status: head.statusCode });
    let headers = forwardableHeaders(head.rawHeaders);
    if (routed.responseHeaders) headers = applyToHeaderList(headers, routed.responseHeaders);
    if (answerHeaders !== undefined && !isEmpty(answerHeaders))
      headers = applyToHeaderList(headers, { set: answerHeaders });
    if (head.framing.kind === 'chunked') headers.push('transfer-encoding', 'chunked');
    this.#closeClient = head.framing.kind === 'until-close' || this.#request.closeAfter;
    if (this.#closeClient) headers.push('connection', 'close');
    let text = `HTTP/1.1 ${head.statusCode} ${STATUS_CODES[head.statusCode] ?? 'Unknown'}\r\n`;
    for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
    this.#pendingHead = `${text}\r\n`;
  }

  body(bytes: Buffer): void {
    const pending = this.#pendingHead;
    this.#pendingHead = undefined;
    // A copy either way: `bytes` lie in the buffer the next backend read overwrites, and the write
    // waits for the turn's end (and for the kernel, when it does not take it whole).
    const written = writeAtTurnEnd(
      this.#client,
      pending === undefined ? Buffer.from(bytes) : headThen(pending, bytes),
    );
    if (!written && !this.#waitingForDrain) {
      this.#waitingForDrain = true;
      this.#backend?.socket.pause();
      this.#client.once('drain', () => {
        this.#waitingForDrain = false;
        if (!this.#finished) this.#backend?.socket.resume();
      });
    }
  }

  complete(surplus: boolean): void {
    if (this.#pendingHead !== undefined) writeAtTurnEnd(this.#client, this.#pendingHead, 'latin1');
    this.#pendingHead = undefined;
    const backend = this.#backend as BackendSocket;
    const head = this.#head as ResponseHead;
    this.#finish(head.statusCode < 500);
    backend.answers++;
    if (this.#waitingForDrain) backend.socket.resume();
    if (head.reusable && !surplus) this.#sockets.give(backend);
    else backend.socket.destroy();
    this.#ended(!this.#closeClient);
  }

  #failBeforeHead(error: Error): void {
    const { upstream } = this.#decision;
    const { answerTimedOut } = this.#ledger.recordFailure(error, this.#timedOut);
    this.#finish(false);
    const cause =
      error instanceof MalformedAnswerError ? new Error(`a malformed answer: ${error.message}`) : error;
    writeAtTurnEnd(
      this.#client,
      ownAnswerText(
        this.#failureAnswers.upstreamFailure(upstream, cause, answerTimedOut),
        this.#request.closeAfter,
      ),
    );
    this.#ended(true);
  }

  // The answer broke off after its head went out: the client must not take it for whole.
  #cutClient(): void {
    this.#finish(false);
    this.#client.destroy();
  }

  /** succeeded: the backend's whole answer went to the client, and it was not a 5xx. */
  #finish(succeeded: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    this.#backend?.lend(undefined);
    this.#ledger.settle(succeeded);
  }
}

/** A head (latin1 text) and the first body bytes, in one buffer: one write, one copy. */
function headThen(head: string, bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(head.length + bytes.length);
  out.write(head, 0, 'latin1');
  bytes.copy(out, head.length);
  return out;
}

/** The request head sent upstream: the route's target, then the headers. */
function requestHead(method: string, { target, headers }: UpstreamRequest): string {
  let text = `${method} ${target} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return `${text}\r\n`;
}

/** An answer of the balancer's own, as bytes on the wire (as sendError writes it through node). */
function ownAnswerText(answer: OwnAnswer, close: boolean): string {
  const body = ownAnswerBody(answer.message);
  let text = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Unknown'}\r\n`;
  text += 'content-type: text/plain; charset=utf-8\r\n';
  text += `content-length: ${Buffer.byteLength(body)}\r\n`;
  for (const [name, value] of Object.entries(answer.headers ?? {})) text += `${name}: ${value}\r\n`;
  if (close) text += 'connection: close\r\n';
  return `${text}\r\n${body}`;
}

/** A header's value from flat [name, value, ...] headers; repeated headers joined with ", ". */
function headerValue(rawHeaders: readonly string[], lowerName: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() !== lowerName) continue;
    const next = rawHeaders[i + 1] as string;
    value = value === undefined ? next : `${value}, ${next}`;
  }
  return value;
}

function isEmpty(record: object): boolean {
  for (const _ in record) return false;
  return true;
}
