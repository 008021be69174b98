// A gRPC client on one channel (one HTTP/2 connection), the standard @grpc/grpc-js, calling the
// fixture backend's lbspec.Echo/Call through the balancer.
import {
  type ChannelCredentials,
  type Client,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import {
  backendIdKey,
  type EchoReply,
  type EchoRequest,
  echoService,
} from '../../fixtures/backend/grpc-service.ts';
import { inLanes } from './lanes.ts';
import type { Exchange } from './traffic.ts';
import { wallClockMs } from './traffic.ts';

const EchoClient = makeGenericClientConstructor(echoService, 'lbspec.Echo');

/** How one call ended: its gRPC status, the backend its answer or trailers named, and how long it took. */
export interface CallOutcome {
  /** The gRPC status code (0 OK, 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE, ...). */
  readonly code: number;
  readonly details: string;
  /** x-backend-id from the answer, its trailers or its headers, if any came. */
  readonly backendId?: string;
  /** The trailing metadata (gRPC's trailers), as text. */
  readonly trailers: Readonly<Record<string, string>>;
  readonly durationMs: number;
}

/** A channel to the listener at `address`: cleartext (h2c), or TLS trusting `tls.caPem` only. */
export interface GrpcChannel {
  /** One call; with `cancelAfterMs`, the client cancels it then (a reset of its stream). */
  call(request: EchoRequest, deadlineMs: number, cancelAfterMs?: number): Promise<CallOutcome>;
  /** `total` calls, `atOnce` in flight at a time, as exchange records (client 0, status 200 when OK). */
  calls(total: number, atOnce: number, deadlineMs: number): Promise<Exchange[]>;
  close(): void;
}

export function openGrpcChannel(
  address: string,
  tls?: { readonly caPem: string; readonly serverName: string },
): GrpcChannel {
  const channelCredentials: ChannelCredentials = tls
    ? credentials.createSsl(Buffer.from(tls.caPem))
    : credentials.createInsecure();
  const client: Client = new EchoClient(address, channelCredentials, {
    // One connection of this client's own: calls are not spread over connections by the client.
    'grpc.use_local_subchannel_pool': 1,
    ...(tls
      ? { 'grpc.ssl_target_name_override': tls.serverName, 'grpc.default_authority': tls.serverName }
      : {}),
  });
  const call = (request: EchoRequest, deadlineMs: number, cancelAfterMs?: number): Promise<CallOutcome> =>
    new Promise((resolve) => {
      const started = performance.now();
      let headerBackend: string | undefined;
      let ended: { error: ServiceError | null; reply: EchoReply | undefined } | undefined;
      const unary = client.makeUnaryRequest<EchoRequest, EchoReply>(
        echoService.call.path,
        echoService.call.requestSerialize,
        echoService.call.responseDeserialize,
        request,
        new Metadata(),
        { deadline: Date.now() + deadlineMs },
        (error: ServiceError | null, reply?: EchoReply) => {
          ended = { error, reply };
        },
      );
      const canceller =
        cancelAfterMs === undefined ? undefined : setTimeout(() => unary.cancel(), cancelAfterMs);
      unary.on('metadata', (metadata: Metadata) => {
        headerBackend = textOf(metadata)[backendIdKey];
      });
      // After the callback, always: the status, with the trailers.
      unary.on('status', ({ metadata }: { metadata: Metadata }) => {
        clearTimeout(canceller);
        const trailers = textOf(metadata);
        const named = trailers[backendIdKey] ?? ended?.reply?.backend ?? headerBackend;
        resolve({
          code: ended?.error ? ended.error.code : status.OK,
          details: ended?.error ? ended.error.details : '',
          ...(named === undefined ? {} : { backendId: named }),
          trailers,
          durationMs: performance.now() - started,
        });
      });
    });
  return {
    call,
    calls: (total, atOnce, deadlineMs) => callsAtOnce(call, total, atOnce, deadlineMs),
    close: () => client.close(),
  };
}

function textOf(metadata: Metadata): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, values] of Object.entries(metadata.getMap())) fields[name] = String(values);
  return fields;
}

function callsAtOnce(
  call: GrpcChannel['call'],
  total: number,
  atOnce: number,
  deadlineMs: number,
): Promise<Exchange[]> {
  return inLanes(total, atOnce, async (seq) => {
    const sentAtMs = wallClockMs();
    const outcome = await call({ requestId: `c0-r${seq}` }, deadlineMs);
    const base = { client: 0, seq, sentAtMs, durationMs: outcome.durationMs };
    const note = `gRPC status ${outcome.code}${outcome.details ? ` (${outcome.details})` : ''}, x-backend-id ${outcome.backendId ?? '(none)'}`;
    return outcome.code === status.OK
      ? { ...base, status: 200, note, ...(outcome.backendId ? { backendId: outcome.backendId } : {}) }
      : { ...base, error: note, note };
  });
}
