import { writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Formatter, type IFormatterOptions } from '@cucumber/cucumber';
import type { Envelope } from '@cucumber/messages';
import {
  buildConformanceRun,
  type ConformanceReport,
  type EvidenceFile,
  interruptedReport,
} from '../../../harness/report/conformance.ts';
import { renderJunit } from '../../../harness/report/junit.ts';
import { nothingCheckedReason, verdictLine, writeReportPages } from '../../../harness/report/report-files.ts';

/**
 * Writes conformance.json to its output (`--format ./steps/support/report/conformance-formatter.mjs:reports/conformance.json`),
 * and, when formatOptions.conformanceMarkdown is set, the Markdown there with conformance.html and
 * each scenario's evidence (evidence/<feature>/<scenario>/) beside it; the verdict line goes to stderr.
 * When SIGINT or SIGTERM ends the run, it writes all of these, and junit.xml at
 * formatOptions.conformanceJunit, from the scenarios finished so far, marked interrupted.
 */
export default class ConformanceFormatter extends Formatter {
  static override readonly documentation = 'lbspec conformance report (JSON, plus Markdown beside it)';
  readonly #envelopes: Envelope[] = [];
  readonly #markdownPath: string | undefined;
  /** The file descriptor cucumber opened for conformance.json (its output). */
  readonly #jsonFd: number | undefined;
  readonly #junitPath: string | undefined;
  #interrupted = false;
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    // The same signal may come twice (a terminal's Ctrl-C reaches lbspec and the suite, and lbspec
    // passes its copy on): the reports are written once.
    if (this.#interrupted) return;
    this.#interrupted = true;
    this.#writeInterrupted(signal);
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  };

  constructor(options: IFormatterOptions) {
    super(options);
    this.#markdownPath = options.parsedArgvOptions.conformanceMarkdown;
    this.#junitPath = options.parsedArgvOptions.conformanceJunit;
    this.#jsonFd = (options.stream as { fd?: number }).fd;
    options.eventBroadcaster.on('envelope', (envelope: Envelope) => this.#envelopes.push(envelope));
    // Ctrl-C or a CI's SIGTERM would otherwise end the run with empty reports: write what is known.
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  override async finished(): Promise<void> {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
    const { report, evidence } = buildConformanceRun(this.#envelopes);
    this.log(`${JSON.stringify(report, null, 2)}\n`);
    this.#writeBeside(report, evidence);
    const { failed } = report.totals;
    process.stderr.write(`${verdictLine(report)}\n`);
    if (report.verdict === 'fail' && failed === 0) {
      process.stderr.write(`${nothingCheckedReason(report.totals)}\n`);
      // Cucumber fails a run only for a failed scenario, and sets the exit code once the run is over:
      // a run that checked nothing must not exit 0 all the same.
      process.once('beforeExit', () => {
        process.exitCode = 1;
      });
    }
    await super.finished();
  }

  // Synchronous: it runs from a signal handler, just before the process exits.
  #writeInterrupted(signal: NodeJS.Signals): void {
    const { report, evidence } = interruptedReport(this.#envelopes, signal, Date.now());
    if (typeof this.#jsonFd === 'number') writeSync(this.#jsonFd, `${JSON.stringify(report, null, 2)}\n`);
    if (this.#junitPath) writeFileSync(this.#junitPath, renderJunit(report));
    this.#writeBeside(report, evidence);
    process.stderr.write(
      `${verdictLine(report)}: interrupted by ${signal}, ${report.interrupted?.unfinished ?? 0} scenarios unfinished\n`,
    );
  }

  // The Markdown, the page and the evidence, when the run asked for them.
  #writeBeside(report: ConformanceReport, evidence: readonly EvidenceFile[]): void {
    if (this.#markdownPath) writeReportPages(dirname(this.#markdownPath), report, evidence);
  }
}
