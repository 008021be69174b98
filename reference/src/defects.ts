/**
 * Deliberate defects, each the seam one broken balancer in fixtures/broken/ needs to prove that a
 * scenario catches it. The reference itself never sets them.
 */
export interface Defects {
  /** Count an answer that is retried neither for passive health nor for the breaker: only the last. */
  readonly breakerSeesFinalOutcomeOnly?: boolean;
  /** Treat an upgrade request (WebSocket) as nothing to proxy. */
  readonly ignoreUpgrade?: boolean;
  /** Never send 100 Continue: a client that waits for it waits in vain. */
  readonly noContinue?: boolean;
  /** Check maxBodyBytes against a declared Content-Length only, never a chunked body's bytes. */
  readonly chunkedBodyUnlimited?: boolean;
  /** On a reload, abort requests in flight to backends that left, instead of letting them finish. */
  readonly cutInFlightOnReload?: boolean;
  /** On a reload, close every client connection, idle or with a request in flight (a restart would). */
  readonly dropClientsOnReload?: boolean;
  /** Answer a request the parser refuses only on a connection that has carried no answer yet. */
  readonly errorsOnFreshConnectionsOnly?: boolean;
  /** Exit when a reload brings an invalid config, instead of serving on. */
  readonly exitOnBadReload?: boolean;
  /** Over ALPN, select the client's first protocol, spoken or not (h2 from a browser), then speak HTTP/1.1. */
  readonly alpnSelectsFirstOffered?: boolean;
  /** On a reload, keep serving the certificates a listener was opened with. */
  readonly tlsKeptOnReload?: boolean;
  /** Speak TLS to backends without checking their certificates (any certificate, any name). */
  readonly upstreamCertificatesUnchecked?: boolean;
  /** Speak TLS to backends without sending the pool's server name (no SNI). */
  readonly upstreamWithoutSni?: boolean;
  /** Advertise no limit on an HTTP/2 connection's concurrent streams (node's default, 2^32-1). */
  readonly http2StreamsUnlimited?: boolean;
  /** Count an HTTP/2 stream its client reset as over at once, whether or not its request still is at a backend. */
  readonly http2ResetStreamsFreed?: boolean;
  /** Decode an HTTP/2 request's header list whatever its size (no SETTINGS_MAX_HEADER_LIST_SIZE, any number of fields). */
  readonly http2HeaderListUnbounded?: boolean;
  /** Keep waiting for a backend's answer after the client went away (reset its stream, closed). */
  readonly attemptOutlivesClient?: boolean;
  /** On SIGTERM, close every connection at once, requests in flight with them, instead of draining. */
  readonly stopWithoutDraining?: boolean;
  /** Take SIGTERM and SIGINT for nothing but a log line (a handler that forgets to stop). */
  readonly stopIgnored?: boolean;
  /**
   * When a listener closes (a stop, a reload that removes it), destroy its HTTP/2 sessions, streams
   * under way too; or leave them open, their clients told nothing (no GOAWAY), until the drain ends.
   */
  readonly http2SessionsOnClose?: 'destroyed' | 'left-open';
  /** On a cleartext HTTP/2 listener, wait 5 s for a connection's first bytes whatever limits.idleTimeoutMs says. */
  readonly prefaceWaitFixed?: boolean;
  /** Start limits.idleTimeoutMs on an HTTP/1.1 connection only once it has had an answer, not when it opens. */
  readonly idleFromFirstAnswer?: boolean;
  /** Parse requests leniently: Content-Length with Transfer-Encoding, odd chunk sizes and the like pass. */
  readonly lenientParser?: boolean;
}
