// Mistakes in the headers a balancer forwards, read from the last request a scenario wrote header
// by header and the headers its backend echoed.
import type { Measurements } from './measurements.ts';
import type { Mistake } from './mistake.ts';

const forwarding = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'];
// Hop-by-hop by definition (RFC 9110 7.6.1), besides those a Connection header names.
const alwaysHopByHop = ['keep-alive', 'te', 'proxy-authorization', 'proxy-connection', 'upgrade', 'trailer'];

function handWritten(measured: Measurements) {
  const written = measured.handWritten;
  if (!written?.received) return undefined;
  const sent = (name: string) =>
    written.sent.filter(([candidate]) => candidate.toLowerCase() === name).map(([, value]) => value);
  const received = (name: string): string | undefined => {
    const value = written.received?.[name];
    return Array.isArray(value) ? value.join(', ') : (value as string | undefined);
  };
  const named = sent('connection').flatMap((value) =>
    value.split(',').map((name) => name.trim().toLowerCase()),
  );
  return { sent, received, named };
}

export const forwardingMistakes: readonly Mistake[] = [
  {
    id: 'forwarding-headers-missing',
    concept: 'proxying HTTP',
    title: 'The backend is not told who the client was',
    mistake:
      'No X-Forwarded-For, -Proto or -Host is added, so every request seems to come from the balancer.',
    shows:
      'The backend received the forwarding headers as the client sent them, or not at all: the balancer added nothing.',
    rootCause: "The request's headers are copied as they came; the proxy adds nothing of its own.",
    fix: "Append the client's address to X-Forwarded-For (keeping what the client sent), and set X-Forwarded-Proto and X-Forwarded-Host from the client's connection and Host.",
    scenarios: [
      'proxy-backend-learns-client-address',
      'proxy-connection-header-cannot-take',
      'proxy-client-x-forwarded-for-chain-kept',
    ],
    signature(measured) {
      // Nothing added: each forwarding header absent, or exactly as the client sent it.
      const seen = handWritten(measured);
      return seen &&
        forwarding.every((name) => [undefined, seen.sent(name).join(', ')].includes(seen.received(name)))
        ? 1
        : 0;
    },
  },
  {
    id: 'connection-header-strips-forwarding',
    concept: 'proxying HTTP',
    title: "A client's Connection header removes the forwarding headers the balancer adds",
    mistake:
      'The headers a Connection header names are removed after the forwarding headers were added, so a client can strip them.',
    shows: 'The client named X-Forwarded-* in its Connection header, and the backend did not receive them.',
    rootCause: 'Hop-by-hop removal ran on the outgoing headers instead of the incoming ones.',
    fix: "Remove the client's hop-by-hop headers (and those its Connection names) from what it sent first; add the balancer's own forwarding headers afterwards.",
    scenarios: ['proxy-connection-header-cannot-take'],
    signature(measured) {
      const seen = handWritten(measured);
      if (!seen) return 0;
      const strippable = forwarding.filter((name) => seen.named.includes(name));
      return strippable.length > 0 && strippable.some((name) => seen.received(name) === undefined) ? 1 : 0;
    },
  },
  {
    id: 'hop-by-hop-headers-forwarded',
    concept: 'proxying HTTP',
    title: 'Hop-by-hop headers are passed on to the backend',
    mistake:
      'Connection, Keep-Alive, TE, Proxy-Authorization and the headers Connection names go through as if end-to-end.',
    shows: 'The backend received values of hop-by-hop headers exactly as the client sent them.',
    rootCause:
      "Headers are copied wholesale; hop-by-hop ones describe the client's connection to the balancer, not the request.",
    fix: 'Drop the hop-by-hop headers and every header the Connection header names before forwarding (a proxy may send its own, e.g. TE: trailers).',
    scenarios: ['proxy-hop-by-hop-headers-stop-balancer'],
    signature(measured) {
      const seen = handWritten(measured);
      if (!seen) return 0;
      const hop = [...alwaysHopByHop, ...seen.named.filter((name) => name !== 'close')];
      return hop.some((name) => {
        const values = seen.sent(name);
        const got = seen.received(name);
        return values.length > 0 && got !== undefined && values.some((value) => got.includes(value));
      })
        ? 1
        : 0;
    },
  },
  {
    id: 'forwarded-for-chain-replaced',
    concept: 'proxying HTTP',
    title: "The client's X-Forwarded-For chain is replaced by its address",
    mistake:
      "X-Forwarded-For is set to the client's address alone, dropping the addresses earlier proxies put there.",
    shows: 'The client sent an X-Forwarded-For chain; the backend received one without it.',
    rootCause:
      'The header was set instead of appended to (a choice some proxies make on purpose, distrusting the chain).',
    fix: 'Append ", <client address>" to the X-Forwarded-For the client sent (and let the backend decide which entries it trusts).',
    scenarios: ['proxy-client-x-forwarded-for-chain-kept'],
    signature(measured) {
      const seen = handWritten(measured);
      const chain = seen?.sent('x-forwarded-for')[0];
      const got = seen?.received('x-forwarded-for');
      return chain !== undefined && got !== undefined && !got.startsWith(chain) ? 1 : 0;
    },
  },
  {
    id: 'upgrades-not-proxied',
    concept: 'proxying HTTP',
    title: 'WebSocket upgrades are not proxied',
    mistake:
      'An Upgrade request is handled like any other request (or refused), so no WebSocket ever reaches a backend.',
    shows: 'Upgrade requests got no 101 Switching Protocols at all.',
    rootCause:
      "The server's upgrade event is not handled: the request is dropped, or the upgrade headers are stripped as hop-by-hop and the backend answers a plain request.",
    fix: 'Handle upgrade requests: forward them with Connection: Upgrade and Upgrade, relay the 101 and then bytes both ways until either side closes.',
    scenarios: ['ratelimit-websocket-upgrade-spends-token'],
    signature(measured) {
      const statuses = measured.upgradeStatuses ?? [];
      return statuses.length > 0 && !statuses.includes(101) ? 1 : 0;
    },
  },
];
