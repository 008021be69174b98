import type { Envelope } from '@cucumber/messages';
import { mediaTypes } from './media-types.ts';

/**
 * Turns a run's messages into one plain line per finished scenario, for logs that are not a
 * terminal (CI): "[12/111] passed  Round robin: Requests rotate ... (1.4 s)". Pure: feed it
 * envelopes in order, it returns the lines each one completes.
 */
export class ProgressLines {
  readonly #pickles = new Map<string, string>();
  readonly #pickleOfTestCase = new Map<string, string>();
  readonly #started = new Map<
    string,
    { testCaseId: string; atMs: number; worst: string; failure?: string }
  >();
  readonly #featureNames = new Map<string, string>();
  #total = 0;
  #done = 0;

  feed(envelope: Envelope): string[] {
    if (envelope.gherkinDocument?.feature && envelope.gherkinDocument.uri) {
      this.#featureNames.set(envelope.gherkinDocument.uri, envelope.gherkinDocument.feature.name);
    } else if (envelope.pickle) {
      const { id, name, uri } = envelope.pickle;
      this.#pickles.set(id, `${this.#featureNames.get(uri) ?? uri}: ${name}`);
    } else if (envelope.testCase) {
      this.#pickleOfTestCase.set(envelope.testCase.id, envelope.testCase.pickleId);
      this.#total++;
    } else if (envelope.testCaseStarted) {
      const { id, testCaseId, timestamp } = envelope.testCaseStarted;
      this.#started.set(id, { testCaseId, atMs: toMs(timestamp), worst: 'passed' });
    } else if (envelope.testStepFinished) {
      const started = this.#started.get(envelope.testStepFinished.testCaseStartedId);
      const result = envelope.testStepFinished.testStepResult;
      const status = result.status.toLowerCase();
      if (started && rank(status) > rank(started.worst)) started.worst = status;
      if (started && status === 'failed') started.failure ??= result.message ?? 'failed';
    } else if (envelope.attachment?.mediaType === mediaTypes.unsupported) {
      const started = this.#started.get(envelope.attachment.testCaseStartedId ?? '');
      if (started) started.worst = 'unsupported';
    } else if (envelope.testCaseFinished) {
      const { testCaseStartedId, timestamp, willBeRetried } = envelope.testCaseFinished;
      const started = this.#started.get(testCaseStartedId);
      if (!started) return [];
      const name = this.#pickles.get(this.#pickleOfTestCase.get(started.testCaseId) ?? '') ?? 'a scenario';
      const seconds = ((toMs(timestamp) - started.atMs) / 1000).toFixed(1);
      if (willBeRetried) return [`[retry] ${started.worst.padEnd(11)} ${name} (${seconds} s)`];
      this.#done++;
      const line = `[${this.#done}/${this.#total}] ${started.worst.padEnd(11)} ${name} (${seconds} s)`;
      const why = (started.failure ?? '')
        .split('\n')
        .slice(0, 20)
        .filter((text) => text.trim() !== '');
      return [line, ...why.map((text) => `      ${text}`)];
    }
    return [];
  }
}

const toMs = (timestamp: { seconds: number; nanos: number }): number =>
  timestamp.seconds * 1000 + timestamp.nanos / 1e6;

// A scenario's outcome is its worst step's (unsupported: skipped for a missing capability), failed above all.
const order = ['passed', 'skipped', 'unsupported', 'pending', 'undefined', 'ambiguous', 'unknown', 'failed'];
const rank = (status: string): number => order.indexOf(status);
