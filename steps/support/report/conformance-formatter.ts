import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Formatter, type IFormatterOptions } from '@cucumber/cucumber';
import type { Envelope } from '@cucumber/messages';
import { buildConformanceRun, renderConformanceMarkdown } from './conformance.ts';
import { renderConformanceHtml } from './conformance-html.ts';

/**
 * Writes conformance.json to its output (`--format ./steps/support/report/conformance-formatter.mjs:reports/conformance.json`),
 * and, when formatOptions.conformanceMarkdown is set, the Markdown there with conformance.html and
 * each scenario's evidence (evidence/<feature>/<scenario>/) beside it; the verdict line goes to stderr.
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
    const { report, evidence } = buildConformanceRun(this.#envelopes);
    this.log(`${JSON.stringify(report, null, 2)}\n`);
    if (this.#markdownPath) {
      // The evidence of an earlier run would be mistaken for this one's.
      const reports = dirname(this.#markdownPath);
      rmSync(join(reports, 'evidence'), { recursive: true, force: true });
      for (const file of evidence) {
        mkdirSync(dirname(join(reports, file.path)), { recursive: true });
        writeFileSync(join(reports, file.path), file.content);
      }
      writeFileSync(this.#markdownPath, renderConformanceMarkdown(report));
      writeFileSync(join(reports, 'conformance.html'), renderConformanceHtml(report));
    }
    const { passed, failed, unsupported, skipped } = report.totals;
    process.stderr.write(
      `conformance of ${report.adapter?.name ?? 'unknown balancer'}: ${report.verdict.toUpperCase()} (${passed} passed, ${failed} failed, ${unsupported} unsupported, ${skipped} skipped)\n`,
    );
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
}

/** Why a run with no failed scenario still fails: it checked nothing. */
export function nothingCheckedReason({
  unsupported,
  skipped,
}: {
  unsupported: number;
  skipped: number;
}): string {
  if (unsupported > 0)
    return 'nothing was checked: every selected scenario needs a capability the balancer does not declare';
  if (skipped > 0) return 'nothing was checked: every selected scenario was skipped (a dry run?)';
  return 'nothing was checked: no scenario matched the tags, names and feature paths given';
}
