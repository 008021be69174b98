// Clients pinned by affinity cookies, their requests spread over a fleet: each cookie was set by
// one instance and must be honoured by every other.
import { cookieValueOf, stickyRequest } from './sticky.ts';
import { describeError } from './traffic.ts';

/** A client that keeps the affinity cookie it was given, and the backend that cookie pins. */
export interface PinnedClient {
  readonly cookie: string;
  readonly pinnedTo: string;
  /** The instance that set the cookie. */
  readonly setBy: string;
}

/** One request of a pinned client to one instance of the fleet. */
export interface PinnedRequest {
  readonly client: number;
  readonly instance: string;
  /** The backend that answered, or `HTTP <status>` for the balancer's own answer. */
  readonly backend?: string;
  /** Why the request got no answer. */
  readonly error?: string;
  /** Whether the answer set a new affinity cookie, as one does for a cookie it does not honour. */
  readonly newCookie?: boolean;
}

/**
 * Client `index` gets its cookie from instance `index` modulo the fleet's size, so every instance
 * sets some. Fails when an instance sets no cookie: nothing would be checked.
 */
export async function pinClients(
  addresses: readonly string[],
  count: number,
  name: string,
): Promise<PinnedClient[]> {
  const clients: PinnedClient[] = [];
  for (let index = 0; index < count; index++) {
    const setBy = addresses[index % addresses.length] as string;
    const answer = await stickyRequest(setBy, name, undefined);
    if (!answer.setCookie)
      throw new Error(
        `instance ${setBy} answered (${answer.backend}) without setting the affinity cookie ${name}`,
      );
    clients.push({ cookie: cookieValueOf(answer.setCookie), pinnedTo: answer.backend, setBy });
  }
  return clients;
}

/**
 * Each client sends `perClient` requests one after another, its n-th to instance (its own + n)
 * modulo the fleet, all clients at once; `afterEach` hears the running total, so a scenario can act
 * mid-traffic. A request that gets no answer is recorded with its error and the traffic goes on.
 */
export async function sendPinned(
  clients: readonly PinnedClient[],
  addresses: readonly string[],
  perClient: number,
  name: string,
  afterEach: (sent: number) => void = () => {},
): Promise<PinnedRequest[]> {
  const requests: PinnedRequest[] = [];
  await Promise.all(
    clients.map(async (pinned, client) => {
      for (let n = 0; n < perClient; n++) {
        const instance = addresses[(client + n) % addresses.length] as string;
        try {
          const answer = await stickyRequest(instance, name, pinned.cookie);
          requests.push({
            client,
            instance,
            backend: answer.backend,
            newCookie: answer.setCookie !== undefined,
          });
        } catch (error) {
          requests.push({ client, instance, error: describeError(error) });
        }
        afterEach(requests.length);
      }
    }),
  );
  return requests;
}

/**
 * What went wrong for the requests to instances still running: each must reach the backend its
 * client's cookie pins. Requests to `killed` are not judged: it may have been gone when they came.
 */
export function affinityProblems(
  clients: readonly PinnedClient[],
  requests: readonly PinnedRequest[],
  killed?: string,
): string[] {
  const problems: string[] = [];
  for (const request of requests) {
    if (request.instance === killed) continue;
    const pinned = clients[request.client] as PinnedClient;
    if (request.backend === pinned.pinnedTo) continue;
    const got = request.backend === undefined ? `no answer (${request.error})` : request.backend;
    problems.push(
      `client ${request.client + 1} (cookie from ${pinned.setBy}, pinned to ${pinned.pinnedTo}) got ${got} from ${request.instance}`,
    );
  }
  return problems;
}
