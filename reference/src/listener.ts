import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerOptions,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { parseAddress } from './config/address.ts';
import type { ClientLimits, ListenerConfig } from './config/types.ts';
import type { Defects } from './defects.ts';
import { passThroughByServerName } from './l4/sni-passthrough.ts';
import { proxyTcpConnection } from './l4/tcp-proxy.ts';
import { passAnswer } from './l7/answer-passing.ts';
import { FastPath } from './l7/fast-path.ts';
import { headerText, proxyHttpRequest } from './l7/http-proxy.ts';
import { http2Front, overHttp2, type RequestHandler, sniffPreface } from './l7/http2-front.ts';
import { closeLingeringly } from './l7/lingering-close.ts';
import { sendError } from './l7/own-answers.ts';
import type { ParseError, ParseRefusalStatus } from './l7/parse-refusals.ts';
import type { VettedRequest } from './l7/request-vetting.ts';
import type { RoutableRequest } from './l7/router.ts';
import { tlsFront } from './l7/tls-termination.ts';
import { answerOnSocket, proxyUpgrade } from './l7/upgrade-proxy.ts';
import { ConnectionsPerClient } from './limits/connection-limit.ts';
import { admitAll, whenDecided } from './limits/rate-limiter.ts';
import type { ListenerContext, Routed } from './listener-context.ts';

// A TCP connection has nothing to route by: it goes to the listener's pool.
const connectionRequest: RoutableRequest = {
  method: 'CONNECT',
  host: undefined,
  target: '/',
  header: () => undefined,
};

/** A bound listener. close() stops accepting, lets open exchanges finish, then cuts what remains. */
export interface OpenListener {
  readonly protocol: ListenerConfig['protocol'];
  readonly address: string;
  close(drainMs: number): Promise<void>;
  /** Closes every client connection at once, whatever it is doing. */
  cutEveryConnection(): void;
  /** Takes what a reload changed of a listener it keeps: its TLS certificates and minimum version. */
  update(config: ListenerConfig): void;
}

/** Binds a listener; rejects with the bind error (e.g. EADDRINUSE) naming the address. */
export async function openListener(config: ListenerConfig, context: ListenerContext): Promise<OpenListener> {
  const { host, port } = parseAddress(config.address) as { host: string; port: number };
  const sockets = new Set<Socket>();
  const maxPerClient = config.limits?.maxConnectionsPerClient;
  const perClient = maxPerClient === undefined ? undefined : new ConnectionsPerClient(maxPerClient);
  // Decisions the fast path made for requests it then handed over with their connections.
  const routedAhead = new WeakMap<Socket, Routed>();
  const http =
    config.protocol === 'http' ? openHttpServer(config, context, perClient, routedAhead) : undefined;
  const httpServer = http?.server;
  const fastPath =
    httpServer && mayTakeFastPath(config, context)
      ? fastPathOf(config, context, httpServer, routedAhead)
      : undefined;
  const http2 =
    http && config.http2
      ? http2Front(
          http.handleRequest,
          {
            headersUpstream: context.http2RequestHeaders,
            connectionReader: context.http2ConnectionReader,
            maxHeaderBytes: config.limits?.maxHeaderBytes,
            idleTimeoutMs: config.limits?.idleTimeoutMs,
            idleSessions: context.http2IdleSessions,
          },
          context.defects,
        )
      : undefined;
  const serveHttp1 = (socket: Socket): void => {
    if (fastPath) fastPath.serve(socket);
    else httpServer?.emit('connection', socket);
  };
  const serveHttp2 = (socket: Socket): void => {
    if (!perClient || perClient.admit(socket)) http2?.serve(socket);
  };
  const tls =
    httpServer && config.tls
      ? tlsFront(
          config.tls,
          {
            http2: http2 !== undefined,
            serve: (socket) => (socket.alpnProtocol === 'h2' ? serveHttp2(socket) : serveHttp1(socket)),
          },
          context.defects,
        )
      : undefined;
  const tlsServer = tls?.server;
  const server: HttpServer | TcpServer =
    tlsServer ??
    (http2
      ? createTcpServer({ noDelay: true }, (socket) =>
          sniffPreface(
            socket,
            (protocol) => {
              if (protocol === 'h2') return serveHttp2(socket);
              serveHttp1(socket);
              socket.resume();
            },
            // Stryker disable next-line all: a broken balancer's defect, never on in a correct run
            context.defects.prefaceWaitFixed ? undefined : config.limits?.idleTimeoutMs,
          ),
        )
      : httpServer && !fastPath
        ? httpServer
        : fastPath
          ? createTcpServer({ noDelay: true }, (socket) => fastPath.serve(socket))
          : createTcpServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
              if (perClient && !perClient.admit(socket)) return;
              const idleMs = config.limits?.idleTimeoutMs;
              // Idle means no bytes either way: what the backend sends is written to this socket too.
              if (idleMs) socket.setTimeout(idleMs, () => socket.destroy(new Error(`idle for ${idleMs} ms`)));
              if (config.sniRoutes) {
                passThroughByServerName(socket, config.address, context);
                return;
              }
              const routed = context.routeFor(config.address, connectionRequest);
              void proxyTcpConnection(socket, routed?.kind === 'forward' ? routed.pool : undefined, context);
            }));
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error): void =>
      reject(new Error(`listener "${config.name}" cannot listen on ${config.address}: ${error.message}`));
    server.once('error', failed);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off('error', failed);
      resolve();
    });
  });
  // Node's HTTP server starts its header and request timers as it starts listening; behind the
  // fast path, TLS or the HTTP/2 preface check it takes connections without listening itself.
  const fronted = server !== httpServer;
  if (fronted) httpServer?.emit('listening');
  const closeIdle = (): void => {
    httpServer?.closeIdleConnections();
    fastPath?.closeIdleConnections();
    http2?.closeIdleConnections();
  };
  return {
    protocol: config.protocol,
    address: config.address,
    close: async (drainMs) => {
      if (fronted) httpServer?.close();
      await closeGracefully(server, sockets, drainMs, closeIdle);
    },
    cutEveryConnection: () => {
      for (const socket of sockets) socket.destroy();
    },
    update: (next) => {
      if (tls && next.tls) tls.update(next.tls);
    },
  };
}

/**
 * Defects that live in code both paths share (reloads): a broken balancer with only these still
 * serves plain requests on the fast path, as one with a replaced part (parts.ts) does, so the
 * suite judges the code a correct balancer runs for most requests. Cutting requests in flight on
 * a reload is not one: the fast path sends a lost GET again, as it may.
 */
const defectsBothPathsShare: ReadonlySet<keyof Defects> = new Set<keyof Defects>([
  'dropClientsOnReload',
  'exitOnBadReload',
  'stopWithoutDraining',
  'stopIgnored',
  'http2SessionsOnClose',
  'prefaceWaitFixed',
  'idleFromFirstAnswer',
]);

/**
 * Whether an HTTP listener's plain requests may take the fast path: not when it limits its clients
 * (node's HTTP server keeps those timers and counts), nor behind TLS (which it does not read), nor when answers are passed on otherwise than
 * the fast path passes them, nor for a defect only node's path carries.
 */
function mayTakeFastPath(config: ListenerConfig, context: ListenerContext): boolean {
  if (config.limits !== undefined || config.tls !== undefined || context.passAnswer !== passAnswer)
    return false;
  return Object.keys(context.defects).every((name) => defectsBothPathsShare.has(name as keyof Defects));
}

function fastPathOf(
  config: ListenerConfig,
  context: ListenerContext,
  httpServer: HttpServer,
  routedAhead: WeakMap<Socket, Routed>,
): FastPath {
  return new FastPath({
    clients: context.clients,
    openLedger: context.openLedger,
    vetRequest: context.vetRequest,
    failureAnswers: context.failureAnswers,
    requestKey: context.attemptChoices.requestKey,
    resendsLost: context.attemptChoices.resendsLost,
    shapeUpstreamRequest: context.shapeUpstreamRequest,
    routeFor: (request) => context.routeFor(config.address, request),
    limitsFor: (routed) => context.limitsFor(config.address, routed),
    handOver: (socket, routed) => {
      if (routed) routedAhead.set(socket, routed);
      httpServer.emit('connection', socket);
    },
  });
}

function openHttpServer(
  config: ListenerConfig,
  context: ListenerContext,
  perClient: ConnectionsPerClient | undefined,
  routedAhead: WeakMap<Socket, Routed>,
): { server: HttpServer; handleRequest: RequestHandler } {
  const limits = config.limits ?? {};
  const route = (request: IncomingMessage, vetted: VettedRequest): Routed | undefined => {
    // The first request of a connection the fast path handed over was routed there already.
    const ahead = routedAhead.get(request.socket);
    if (ahead) {
      routedAhead.delete(request.socket);
      return ahead;
    }
    const routed = context.routeFor(config.address, {
      method: request.method ?? 'GET',
      host: context.routingHost(vetted.host, (request.socket as TLSSocket).servername || undefined),
      target: vetted.target,
      header: (name) => headerText(request, name),
    });
    // An absolute-form target names the host the backend is to see (RFC 9112 3.2.2).
    if (vetted.authority === undefined || routed?.kind !== 'forward' || routed.upstreamHost !== undefined)
      return routed;
    return { ...routed, upstreamHost: vetted.authority };
  };
  const vet = (request: IncomingMessage) =>
    context.vetRequest(request.method ?? 'GET', request.url ?? '/', request.rawHeaders);
  // Every request, an upgrade too, spends a token of each rate limit that applies to it.
  const admit = (request: IncomingMessage, routed: Routed | undefined) =>
    admitAll(context.limitsFor(config.address, routed), {
      peerAddress: request.socket.remoteAddress ?? '',
      header: (name) => headerText(request, name),
    });
  const options = serverOptions(limits);
  if (context.defects.lenientParser) options.insecureHTTPParser = true;
  // `over`, if given, is told once nothing of the request is left at a backend.
  const handleRequest: RequestHandler = (request, response, over) => {
    const declared = Number(request.headers['content-length']);
    if (limits.maxBodyBytes !== undefined && declared > limits.maxBodyBytes) {
      closeAfterAnswer(request, response);
      refuseRequest(
        request,
        response,
        413,
        `the request body (${declared} bytes) is larger than ${limits.maxBodyBytes} bytes`,
        {},
      );
      over?.();
      return;
    }
    const vetted = vet(request);
    if (!vetted.ok) {
      closeAfterAnswer(request, response);
      refuseRequest(request, response, vetted.status, vetted.message, {});
      over?.();
      return;
    }
    const routed = route(request, vetted);
    whenDecided(admit(request, routed), (verdict) => {
      if (!verdict.allowed) {
        refuseRequest(request, response, verdict.status, verdict.message, verdict.headers);
        over?.();
        return;
      }
      const counted = context.defects.chunkedBodyUnlimited ? undefined : limits.maxBodyBytes;
      const proxying = proxyHttpRequest(request, response, routed, context, verdict.headers, counted);
      if (over) proxying.then(over, over);
    });
  };
  const server = createHttpServer(options, handleRequest);
  const refusing = { refusalStatus: context.parseRefusalStatus, defects: context.defects };
  server.on('clientError', (error: Error, socket: Socket) => answerClientError(error, socket, refusing));
  if (limits.idleTimeoutMs !== undefined)
    closeWhenIdle(server, limits.idleTimeoutMs, context.defects.idleFromFirstAnswer === true);
  // Checked before node parses anything on the connection.
  if (perClient) server.prependListener('connection', (socket: Socket) => perClient.admit(socket));
  if (!context.defects.ignoreUpgrade) {
    server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
      const vetted = vet(request);
      if (!vetted.ok) {
        socket.on('error', () => socket.destroy());
        answerOnSocket(socket, vetted.status, vetted.message, {});
        return;
      }
      const routed = route(request, vetted);
      whenDecided(admit(request, routed), (verdict) => {
        if (!verdict.allowed) {
          socket.on('error', () => socket.destroy());
          answerOnSocket(socket, verdict.status, verdict.message, verdict.headers);
          return;
        }
        void proxyUpgrade(request, socket, head, routed, context);
      });
    });
  }
  // Without a checkContinue listener node answers Expect: 100-continue itself, as a client needs;
  // the no-continue defect takes that away.
  if (context.defects.noContinue) {
    server.on('checkContinue', (request, response) => server.emit('request', request, response));
  }
  return { server, handleRequest };
}

/**
 * After a refusal the connection closes, its unread body drained first (HTTP/1.1); an HTTP/2
 * connection carries other streams, so only the refused one ends, with its answer.
 */
function closeAfterAnswer(request: IncomingMessage, response: ServerResponse): void {
  if (overHttp2(request)) return;
  response.setHeader('connection', 'close');
  closeLingeringly(request);
}

/**
 * Answers a request the parser refused with the status `refusalStatus` gives it, then closes the
 * connection, as node does, but after any answer still under way on the connection rather than
 * instead of it.
 */
function answerClientError(
  error: ParseError,
  socket: Socket,
  { refusalStatus, defects }: { readonly refusalStatus: ParseRefusalStatus; readonly defects: Defects },
  waited = false,
): void {
  const underWay = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  // An answer under way to an earlier request, read whole (pipelined), goes out first. One to the
  // request that failed (its body did not parse, or did not come in time) is cut, with a 400 or
  // 408 in its place if it has not begun, as node does.
  const earlierRequest = underWay?.req.complete === true;
  if (earlierRequest && !waited && !underWay.writableFinished && !defects.errorsOnFreshConnectionsOnly) {
    underWay.once('close', () => answerClientError(error, socket, { refusalStatus, defects }, true));
    return;
  }
  const mayAnswer = defects.errorsOnFreshConnectionsOnly
    ? socket.bytesWritten === 0
    : !underWay?.headersSent || underWay.writableFinished;
  if (socket.writable && mayAnswer) {
    const status = refusalStatus(error);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
  }
  socket.destroy(error);
}

/**
 * Closes a connection once it has had no request in flight for `idleMs`. Node's own keepAliveTimeout
 * adds a buffer of its own that differs between versions, so it is set past ours and ours decides.
 */
function closeWhenIdle(server: HttpServer, idleMs: number, fromFirstAnswer: boolean): void {
  server.keepAliveTimeout = idleMs + 5_000;
  const timers = new WeakMap<Socket, NodeJS.Timeout>();
  const arm = (socket: Socket): void => {
    clearTimeout(timers.get(socket));
    const timer = setTimeout(() => socket.destroy(), idleMs);
    timer.unref();
    timers.set(socket, timer);
  };
  server.on('connection', (socket: Socket) => {
    // Stryker disable next-line all: a broken balancer's defect, never on in a correct run
    if (!fromFirstAnswer) arm(socket);
    socket.once('close', () => clearTimeout(timers.get(socket)));
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    clearTimeout(timers.get(request.socket));
    response.once('close', () => arm(request.socket));
  });
}

// The HTTP server's own limits: header size, and a headers timeout checked often enough to keep it.
function serverOptions(limits: ClientLimits): ServerOptions {
  const options: ServerOptions = { noDelay: true };
  if (limits.maxHeaderBytes !== undefined) options.maxHeaderSize = limits.maxHeaderBytes;
  // Node's own whole-request timeout (300 s) would cap the headers timeout and cut long uploads,
  // so it is ours or none. Node checks both every connectionsCheckingInterval.
  const { headerTimeoutMs, requestTimeoutMs } = limits;
  if (headerTimeoutMs !== undefined || requestTimeoutMs !== undefined) {
    options.requestTimeout = requestTimeoutMs ?? 0;
    options.headersTimeout = headerTimeoutMs ?? requestTimeoutMs;
    const shortest = Math.min(
      headerTimeoutMs ?? Number.POSITIVE_INFINITY,
      requestTimeoutMs ?? Number.POSITIVE_INFINITY,
    );
    options.connectionsCheckingInterval = Math.max(20, Math.min(1_000, shortest / 10));
  }
  return options;
}

// A refusal before any backend is involved; the request body, if any, is read and dropped.
function refuseRequest(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  message: string,
  headers: Readonly<Record<string, string>>,
): void {
  sendError(response, status, message, headers);
  request.resume();
}

async function closeGracefully(
  server: HttpServer | TcpServer,
  sockets: Set<Socket>,
  drainMs: number,
  closeIdleConnections: () => void,
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, drainMs);
    timer.unref();
  });
  await Promise.race([closed, deadline]);
  clearTimeout(timer);
  for (const socket of sockets) socket.destroy();
  await closed;
}
