import type { Client, Dispatcher } from 'undici';

/** A final answer's status, and the value of the one header asked for (if it came). */
export interface StatusAnswer {
  readonly status: number;
  readonly header: string | undefined;
}

/**
 * Sends a GET on `client` and settles once its answer has come whole, its body read and dropped:
 * with the status and the value of `wantedHeader` (lowercase; repeated ones joined with ", ").
 * Interim 1xx answers are skipped, as request() skips them. Through undici's dispatch, without the
 * body stream and header object request() makes for every answer: a third of its client CPU,
 * for the floods of small answers that the hashing and rate-limit scenarios send.
 */
export function getStatus(
  client: Client,
  path: string,
  headers: Readonly<Record<string, string>>,
  wantedHeader?: string,
): Promise<StatusAnswer> {
  return new Promise((resolve, reject) => {
    let answer: StatusAnswer | undefined;
    const handler = {
      onConnect() {},
      onHeaders(status: number, rawHeaders: Buffer[]) {
        if (status < 200) return true;
        answer = {
          status,
          header: wantedHeader === undefined ? undefined : headerValue(rawHeaders, wantedHeader),
        };
        return true;
      },
      onData: () => true,
      onComplete() {
        if (answer) resolve(answer);
        else reject(new Error('the answer ended without a final status'));
      },
      onError: reject,
    };
    client.dispatch({ method: 'GET', path, headers }, handler as unknown as Dispatcher.DispatchHandler);
  });
}

function headerValue(rawHeaders: readonly Buffer[], wanted: string): string | undefined {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as Buffer).toString('latin1').toLowerCase() === wanted)
      values.push((rawHeaders[i + 1] as Buffer).toString('latin1'));
  }
  return values.length === 0 ? undefined : values.join(', ');
}
