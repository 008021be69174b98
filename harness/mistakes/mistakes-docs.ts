import type { Mistake } from './mistake.ts';

/** Where the catalogue of mistakes is written for reading, relative to the project root. */
export const mistakesDocsPath = 'docs/mistakes.md';

/**
 * The catalogue as a page: one section per mistake, anchored by its id (failure reports link to
 * it), grouped by concept in catalogue order. `npm run generate` writes it; a test fails while it
 * differs from the catalogue.
 */
export function mistakesDocs(catalogue: readonly Mistake[]): string {
  const concepts = [...new Set(catalogue.map((mistake) => mistake.concept))];
  const sections = concepts.map((concept) => {
    const entries = catalogue
      .filter((mistake) => mistake.concept === concept)
      .map((mistake) =>
        [
          `### ${mistake.title}`,
          `<a id="${mistake.id}"></a>\`${mistake.id}\``,
          '',
          `**The mistake.** ${mistake.mistake}`,
          '',
          `**How it shows.** ${mistake.shows}`,
          '',
          `**Why it happens.** ${mistake.rootCause}`,
          '',
          `**The fix.** ${mistake.fix}`,
          '',
          `Explains failures of: ${mistake.scenarios.map((id) => `\`${id}\``).join(', ')}.`,
        ].join('\n'),
      );
    return [`## ${concept}`, ...entries].join('\n\n');
  });
  return [
    '# Common mistakes',
    '',
    'Generated from `harness/mistakes/catalogue.ts` by `npm run generate`: do not edit.',
    '',
    "Each mistake builders of balancers commonly make, with its signature in what the suite measures. When a scenario fails, the reports (conformance.md and .html, and the scenario's evidence) name the mistakes whose signature fits what was measured, best fit first, with the fix and a link here.",
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
}
