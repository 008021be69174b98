// Mistakes in relaying byte streams (TCP, a WebSocket after its upgrade, large bodies), read from
// what the scenario's clients sent and got back, and how far the balancer's memory grew meanwhile.
import type { Measurements } from './measurements.ts';
import type { Mistake } from './mistake.ts';

/** Memory growth past this share of the bytes moved means they were held, not streamed (the scenarios' own bound). */
const heldShare = 0.5;

function heldInMemory(measured: Measurements, over: 'http' | 'tcp'): boolean {
  const transfer = measured.relay?.transfer;
  return (
    transfer?.over === over &&
    transfer.grewBytes !== undefined &&
    transfer.grewBytes >= transfer.bytes * heldShare
  );
}

export const relayMistakes: readonly Mistake[] = [
  {
    id: 'half-close-closes-both-ways',
    concept: 'layer 4 (TCP)',
    title: "A client's half-close closes the whole connection",
    mistake: 'When the client ends its side (FIN), the balancer closes both directions at once.',
    shows:
      'A TCP client sent its bytes and half-closed; fewer came back than it sent before the stream ended.',
    rootCause:
      "The client's 'end' is treated as the end of the connection: sockets without allowHalfOpen (or an explicit destroy) close the side still carrying the answer.",
    fix: "Allow half-open sockets; pass the client's FIN on to the backend (end its socket) and keep relaying the backend's bytes until it ends too.",
    scenarios: ['rr-tcp-connection-carries-data'],
    signature(measured) {
      const halfClosed = measured.relay?.halfClosed;
      return halfClosed && halfClosed.echoedBytes < halfClosed.sentBytes ? 1 : 0;
    },
  },
  {
    id: 'reset-not-passed-on',
    concept: 'layer 4 (TCP)',
    title: 'A reset on one side leaves the other side open',
    mistake: 'An error or reset on one socket destroys that socket only.',
    shows:
      'After the client reset, the backend kept its connection; or after the backend reset, the client was left waiting on an open connection.',
    rootCause: "Each socket's error handler cleans up its own socket and nothing tells its peer.",
    fix: 'On an error or reset of either socket, reset (or at least close) the other one too.',
    scenarios: ['rr-reset-either-side-tcp'],
    signature(measured) {
      const relay = measured.relay;
      return relay?.backendOpenAfterClientReset === true || relay?.clientAfterBackendReset === 'still open'
        ? 1
        : 0;
    },
  },
  {
    id: 'relay-without-backpressure',
    concept: 'layer 4 (TCP)',
    title: 'The relay reads on however slowly the other side takes the bytes',
    mistake:
      "Bytes are read from one socket and written to the other without heeding the write's return value, so a slow reader makes the balancer buffer everything.",
    shows:
      "A TCP client read nothing, and the balancer's memory grew by more than half the bytes it relayed.",
    rootCause:
      "socket.write() returning false (the peer's buffer full) is ignored, and reading never pauses.",
    fix: "Pause the source when write() returns false and resume on the destination's 'drain' (pipe() does this).",
    scenarios: ['rr-tcp-client-reads-nothing'],
    signature(measured) {
      return heldInMemory(measured, 'tcp') ? 1 : 0;
    },
  },
  {
    id: 'bodies-buffered-whole',
    concept: 'proxying HTTP',
    title: 'Request and response bodies are held whole in memory',
    mistake: 'Each body is read completely before its first byte is passed on.',
    shows:
      "A large body arrived intact, but the balancer's memory grew by more than half its size while it passed through.",
    rootCause:
      'The body is collected into one buffer (to inspect, retry, or set a Content-Length), so memory grows with the body and the first byte waits for the last.',
    fix: 'Stream bodies through with backpressure; keep in memory only what a retry needs, and only up to a small bound.',
    scenarios: ['proxy-100-mb-go-up-content-length', 'proxy-100-mb-go-up-chunked'],
    signature(measured) {
      return heldInMemory(measured, 'http') && measured.relay?.transfer?.intact ? 1 : 0;
    },
  },
  {
    id: 'upgrade-drops-early-bytes',
    concept: 'proxying HTTP',
    title: 'The bytes a backend sends right after its 101 are lost',
    mistake: "After the upgrade answer's head, what came in the same read is dropped instead of relayed.",
    shows: 'The upgrade succeeded, but the greeting the backend sent with its 101 never reached the client.',
    rootCause:
      "The proxy parses the 101's head from the first read and starts relaying only from the next one; the rest of that first read is forgotten.",
    fix: 'After the head, write whatever remains of the buffer that held it to the client before relaying the rest.',
    scenarios: ['proxy-backend-speaks-first-websocket'],
    signature(measured) {
      const webSocket = measured.relay?.webSocket;
      return webSocket?.greeted && webSocket.opened && webSocket.replies.length === 0 ? 1 : 0;
    },
  },
];
