// Mistakes in how a balancer stops: what a graceful stop (a deploy, a restart, a scale-in) did to
// the requests and connections in flight, and whether the process then went away.
import type { Mistake } from './mistake.ts';

const stopScenarios = [
  'stop-answers-requests-in-flight',
  'stop-answers-http2-streams-in-flight',
  'stop-keeps-tcp-connections-open',
];

export const stopMistakes: readonly Mistake[] = [
  {
    id: 'stop-cuts-in-flight',
    concept: 'stopping',
    title: 'A stop closes every connection at once',
    mistake:
      'The stop signal closes every connection (or exits, or destroys every session) at once, whatever is in flight on it.',
    shows: 'Requests, streams or TCP connections in flight when the stop was sent failed or were cut short.',
    rootCause:
      'The signal handler calls process.exit(), closeAllConnections() or session.destroy() where it should stop accepting and wait: close the listening sockets, close only the idle connections, and let the busy ones finish.',
    fix: 'On the stop signal, stop accepting (server.close()), close idle keep-alive connections, send HTTP/2 clients GOAWAY (session.close()), and exit once the last connection is done, or once a drain time of your own has passed.',
    scenarios: stopScenarios,
    signature({ stop }) {
      if (stop?.cut === undefined || stop.cut === 0) return 0;
      return stop.cut === stop.inFlight ? 1 : 0.7;
    },
  },
  {
    id: 'stop-never-exits',
    concept: 'stopping',
    title: 'A balancer told to stop never exits',
    mistake: 'The stop signal is taken, but the process goes on running once everything in flight is done.',
    shows:
      'Every exchange in flight at the stop was answered whole, yet the balancer was still running long after the last one.',
    rootCause:
      'In node, a listener for SIGTERM replaces the default exit, so a handler that only logs or flushes keeps the process alive; elsewhere, a timer, an interval or an open connection (health checks, metrics, an admin server) keeps the event loop busy after the listeners closed.',
    fix: 'Make the handler close everything the process opened (listeners, health-check timers, admin server, connections to backends) and exit once the drain is over; bound the drain with a timer of its own that exits regardless.',
    scenarios: stopScenarios,
    signature({ stop }) {
      if (stop === undefined || stop.cut !== 0 || stop.exited) return 0;
      // An HTTP/2 connection left open by a balancer that still listens: the stop may not have
      // been taken at all, or taken without telling HTTP/2 clients.
      if (stop.http2Ended === false) return stop.acceptingAfterStop ? 0.9 : 0;
      return 1;
    },
  },
  {
    id: 'http2-no-goaway-at-stop',
    concept: 'stopping',
    title: 'A stop tells HTTP/2 clients nothing',
    mistake:
      'A stopping balancer lets its HTTP/2 streams finish but neither sends GOAWAY nor closes the connection, so its clients go on opening streams on it.',
    shows:
      'The streams in flight were answered, and the connection was neither sent GOAWAY nor closed after them.',
    rootCause:
      'HTTP/2 connections are never idle in the HTTP/1.1 sense, so "close idle connections" passes them by; the server stops listening and waits for them, and a client with nothing to tell it to go keeps using the connection.',
    fix: 'At a stop, call close() on every HTTP/2 session (GOAWAY with the last stream taken, then the close once its streams are done), and let the drain time bound the wait.',
    scenarios: ['stop-answers-http2-streams-in-flight'],
    signature({ stop }) {
      return stop?.http2Ended === false && stop.cut === 0 ? 1 : 0;
    },
  },
];
