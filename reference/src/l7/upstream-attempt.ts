import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { answeredWhole } from './http2-front.ts';

/** The head of a backend's answer; its body is still to come (see UpstreamAttempt). */
export interface AnswerHead {
  readonly statusCode: number;
  /** Flat [name, value, ...] as the backend sent them (bytes kept: latin1 in, latin1 out). */
  readonly headers: readonly string[];
}

type Sink =
  | { readonly kind: 'waiting'; readonly queued: Buffer[] }
  | { readonly kind: 'response'; readonly response: ServerResponse }
  | { readonly kind: 'discard' }
  | { readonly kind: 'collect'; readonly chunks: Buffer[] };

/**
 * One request to a backend through undici's dispatch: the head arrives as a promise, and the body
 * goes straight into the client's response with backpressure, with no stream or promise per chunk
 * in between (a third of the proxy's time went there). abort() ends it at any point; the body's
 * fate is chosen once the head is in: pipeTo, discard or collect.
 */
export class UpstreamAttempt implements Dispatcher.DispatchHandler {
  readonly head: Promise<AnswerHead>;
  #settleHead!: { resolve: (head: AnswerHead) => void; reject: (error: Error) => void };
  #headIn = false;
  #abort: ((reason?: Error) => void) | undefined;
  #abortReason: Error | undefined;
  #resume: (() => void) | undefined;
  #sink: Sink = { kind: 'waiting', queued: [] };
  /** undefined while the body flows; then how it ended. */
  #ended: { readonly error?: Error } | undefined;
  #whenEnded: (() => void) | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  /** The fields that came after the body (gRPC's status), if any. */
  #trailers: Record<string, string> | undefined;

  /** When the backend breaks the body off: cut the client's answer, or end it as if whole. */
  #whenBroken: 'cut' | 'end' = 'cut';

  constructor() {
    this.head = new Promise((resolve, reject) => {
      this.#settleHead = { resolve, reject };
    });
    // A caller that never asks for the head (the client went away) must not see a rejection.
    this.head.catch(() => {});
  }

  /** Stops the attempt: before the head, `head` rejects with `reason`; after, the body is cut. */
  abort(reason: Error): void {
    if (this.#ended) return;
    if (this.#abort) this.#abort(reason);
    else this.#abortReason = reason;
  }

  /**
   * Streams the body into `response` and ends it; a break on either side destroys both (unless
   * `whenBroken` is 'end'), and so does a backend that sends nothing for `bodyIdleMs` in the middle of it.
   */
  pipeTo(
    response: ServerResponse,
    { bodyIdleMs: idleMs, whenBroken }: { readonly bodyIdleMs?: number; readonly whenBroken: 'cut' | 'end' },
  ): Promise<void> {
    this.#whenBroken = whenBroken;
    const queued = this.#take({ kind: 'response', response });
    // Most answers are whole by now; only a body still on its way needs a timer.
    if (idleMs !== undefined && !this.#ended) {
      this.#idleTimer = setTimeout(
        () => this.abort(new Error(`the backend sent nothing for ${idleMs} ms in the middle of its answer`)),
        idleMs,
      );
    }
    return new Promise((resolve) => {
      response.once('close', () => {
        if (!answeredWhole(response)) this.abort(new Error('the client went away'));
        resolve();
      });
      if (response.destroyed) this.abort(new Error('the client went away'));
      response.on('drain', () => this.#resume?.());
      for (const chunk of queued) response.write(chunk);
      if (this.#ended) this.#finishResponse(response);
    });
  }

  /** Reads the body to its end and drops it (a 5xx about to be retried). */
  discard(): Promise<void> {
    this.#take({ kind: 'discard' });
    return this.#end().then(() => {});
  }

  /** The whole body in memory (what a balancer that buffers answers passes on). */
  async collect(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    chunks.push(...this.#take({ kind: 'collect', chunks }));
    await this.#end();
    return Buffer.concat(chunks);
  }

  #take(sink: Sink): Buffer[] {
    const previous = this.#sink;
    if (previous.kind !== 'waiting') throw new Error('the answer body was already taken');
    this.#sink = sink;
    this.#resume?.();
    return previous.queued;
  }

  #end(): Promise<{ readonly error?: Error }> {
    if (this.#ended) return Promise.resolve(this.#ended);
    return new Promise((resolve) => {
      this.#whenEnded = () => resolve(this.#ended ?? {});
    });
  }

  #finishResponse(response: ServerResponse): void {
    if (this.#ended?.error && this.#whenBroken === 'cut') {
      response.destroy();
      return;
    }
    // HTTP/2 clients get them as a trailing HEADERS frame, HTTP/1.1 ones after a chunked body.
    if (this.#trailers) response.addTrailers(this.#trailers);
    response.end();
  }

  #finish(ended: { readonly error?: Error }): void {
    if (this.#ended) return;
    this.#ended = ended;
    clearTimeout(this.#idleTimer);
    if (this.#sink.kind === 'response') this.#finishResponse(this.#sink.response);
    this.#whenEnded?.();
  }

  // undici's handler (the raw-header interface: no parsing into objects on the way).

  onConnect(abort: (reason?: Error) => void): void {
    this.#abort = abort;
    if (this.#abortReason) abort(this.#abortReason);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    this.#resume = resume;
    const headers: string[] = new Array(rawHeaders.length);
    for (let i = 0; i < rawHeaders.length; i++) headers[i] = (rawHeaders[i] as Buffer).toString('latin1');
    this.#headIn = true;
    this.#settleHead.resolve({ statusCode, headers });
    return true;
  }

  onData(chunk: Buffer): boolean {
    const sink = this.#sink;
    switch (sink.kind) {
      case 'response':
        this.#idleTimer?.refresh();
        return sink.response.write(chunk);
      case 'waiting':
        // The head's reader attaches a sink within a tick; until then, hold what came with the head.
        sink.queued.push(chunk);
        return sink.queued.length < 16;
      case 'collect':
        sink.chunks.push(chunk);
        return true;
      case 'discard':
        return true;
    }
  }

  /** HTTP/1.1 gives the trailers as raw [name, value, ...] bytes, HTTP/2 as an object. */
  onComplete(trailers: string[] | null): void {
    // Typed as undici declares it; what comes is bytes (HTTP/1.1) or node's object (HTTP/2).
    this.#trailers = trailerFields(trailers as unknown as Parameters<typeof trailerFields>[0]);
    this.#finish({});
  }

  onError(error: Error): void {
    if (!this.#headIn) {
      this.#ended = { error };
      this.#settleHead.reject(error);
      return;
    }
    this.#finish({ error });
  }
}

function trailerFields(
  trailers: readonly (Buffer | string)[] | Record<string, string | string[] | undefined> | null | undefined,
): Record<string, string> | undefined {
  // Most answers have none: HTTP/1.1 gives an empty list, HTTP/2 an empty object.
  if (!trailers || (Array.isArray(trailers) && trailers.length === 0)) return undefined;
  const fields: Record<string, string> = {};
  if (Array.isArray(trailers)) {
    for (let i = 0; i + 1 < trailers.length; i += 2)
      fields[String(trailers[i]).toLowerCase()] = (trailers[i + 1] as Buffer | string).toString('latin1');
  } else {
    for (const [name, value] of Object.entries(trailers)) {
      if (value !== undefined && !name.startsWith(':'))
        fields[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}
