import { writeFileSync } from 'node:fs';
import { Formatter, type IFormatterOptions } from '@cucumber/cucumber';
import type { Envelope } from '@cucumber/messages';
import { buildConformanceReport, renderConformanceMarkdown } from './conformance.ts';

/**
 * Writes conformance.json to its output (`--format ./steps/support/report/conformance-formatter.mjs:reports/conformance.json`),
 * the Markdown rendering to formatOptions.conformanceMarkdown when set, and the verdict line to stderr.
 */
export default class ConformanceFormatter extends Formatter {
  static override readonly documentation = 'lbspec conformance report (JSON, plus Markdown beside it)';
  readonly #envelopes: Envelope[] = [];
  readonly #markdownPath: string | undefined;

  constructor(options: IFormatterOptions) {
    super(options);
    this.#markdownPath = options.parsedArgvOptions.conformanceMarkdown;
    options.eventBroadcaster.on('envelope', (envelope: Envelope) => this.#envelopes.push(envelope));
  }

  override async finished(): Promise<void> {
    const report = buildConformanceReport(this.#envelopes);
    this.log(`${JSON.stringify(report, null, 2)}\n`);
    if (this.#markdownPath) writeFileSync(this.#markdownPath, renderConformanceMarkdown(report));
    const { passed, failed, unsupported, skipped } = report.totals;
    process.stderr.write(
      `conformance of ${report.adapter?.name ?? 'unknown balancer'}: ${report.verdict.toUpperCase()} (${passed} passed, ${failed} failed, ${unsupported} unsupported, ${skipped} skipped)\n`,
    );
    await super.finished();
  }
}
