/**
 * Opens a page in headless Chromium and evaluates an expression in it, through the DevTools
 * protocol: how a report's test sees what a reader's browser would (images decoded, charts drawn).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'undici';
import { guardAgainstLeaks, onHarnessExit } from '../processes/processes.ts';
import { timeouts } from '../timing/timeouts.ts';

const candidates = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The Chromium to run: LBSPEC_CHROMIUM, else the first of the usual names on PATH; undefined if none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.LBSPEC_CHROMIUM) return env.LBSPEC_CHROMIUM;
  return candidates.find((name) => spawnSync('which', [name], { stdio: 'ignore' }).status === 0);
}

/** Reads the browser's DevTools address from its stderr. */
function devtoolsAddress(browser: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () =>
        reject(new Error(`Chromium did not offer DevTools within ${timeouts.backendStartMs} ms:\n${seen}`)),
      timeouts.backendStartMs,
    );
    browser.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (found) {
        clearTimeout(timer);
        resolve(found[1] as string);
      }
    });
    browser.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited (${code}) before offering DevTools:\n${seen}`));
    });
  });
}

/** One DevTools connection: commands by id, events by name (of the attached page's session). */
class DevTools {
  readonly #socket: WebSocket;
  #nextId = 1;
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  readonly #waiters = new Map<string, () => void>();

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number;
        method?: string;
        result?: unknown;
        error?: { message: string };
      };
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) pending?.reject(new Error(message.error.message));
        else pending?.resolve(message.result);
      } else if (message.method) {
        this.#waiters.get(message.method)?.();
      }
    });
  }

  static open(address: string): Promise<DevTools> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(address);
      socket.addEventListener('open', () => resolve(new DevTools(socket)));
      socket.addEventListener('error', () => reject(new Error(`cannot connect to DevTools at ${address}`)));
    });
  }

  send<T>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  /** Resolves at the next event `method`, or rejects after the request budget. */
  next(method: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${method} within ${timeouts.requestMs} ms`)),
        timeouts.requestMs,
      );
      this.#waiters.set(method, () => {
        clearTimeout(timer);
        this.#waiters.delete(method);
        resolve();
      });
    });
  }

  close(): void {
    this.#socket.close();
  }
}

/**
 * Loads `url` in a fresh headless Chromium, waits for its load event (images included), and
 * returns the value of `expression` evaluated in the page (awaited, when it is a promise).
 */
export async function evaluateInChromium<T>(chromium: string, url: string, expression: string): Promise<T> {
  guardAgainstLeaks();
  const profile = mkdtempSync(join(tmpdir(), 'lbspec-chromium-'));
  const browser = spawn(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-breakpad',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    // Its own process group, so its helpers (zygote, crash handler) end with it.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  liveBrowsers.add(browser);
  let devtools: DevTools | undefined;
  try {
    devtools = await DevTools.open(await devtoolsAddress(browser));
    const { targetId } = await devtools.send<{ targetId: string }>('Target.createTarget', {
      url: 'about:blank',
    });
    const { sessionId } = await devtools.send<{ sessionId: string }>('Target.attachToTarget', {
      targetId,
      flatten: true,
    });
    await devtools.send('Page.enable', {}, sessionId);
    const loaded = devtools.next('Page.loadEventFired');
    await devtools.send('Page.navigate', { url }, sessionId);
    await loaded;
    const { result, exceptionDetails } = await devtools.send<{
      result: { value: T };
      exceptionDetails?: { text: string };
    }>('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
    if (exceptionDetails) throw new Error(`the page's check threw: ${exceptionDetails.text}`);
    return result.value;
  } finally {
    devtools?.close();
    await endBrowser(browser);
    // A helper outside the group may still be writing its last file: retry rather than fail.
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

// Detached browsers miss a Ctrl-C sent to the terminal's group: the harness's exit ends them.
const liveBrowsers = new Set<ChildProcess>();
onHarnessExit(() => {
  for (const browser of liveBrowsers) killGroup(browser);
});

function killGroup(browser: ChildProcess): void {
  try {
    if (browser.pid !== undefined) process.kill(-browser.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Kills the browser's whole process group and waits for the browser itself to be gone. */
async function endBrowser(browser: ChildProcess): Promise<void> {
  const exited = browser.exitCode !== null || browser.signalCode !== null;
  const gone = exited ? Promise.resolve() : once(browser, 'exit');
  killGroup(browser);
  await gone;
  liveBrowsers.delete(browser);
}
