import { Formatter, type IFormatterOptions } from '@cucumber/cucumber';
import type { Envelope } from '@cucumber/messages';
import { ProgressLines } from '../../../harness/report/progress-lines.ts';

/** One plain line per finished scenario, for logs that are not a terminal (see cucumber.mjs). */
export default class ProgressLinesFormatter extends Formatter {
  static override readonly documentation = 'lbspec progress: one line per finished scenario';

  constructor(options: IFormatterOptions) {
    super(options);
    const lines = new ProgressLines();
    options.eventBroadcaster.on('envelope', (envelope: Envelope) => {
      for (const line of lines.feed(envelope)) this.log(`${line}\n`);
    });
  }
}
