import { mistakes } from './catalogue.ts';
import type { Measurements } from './measurements.ts';
import type { Mistake } from './mistake.ts';

/** A mistake whose signature fits what a failed scenario measured. */
export interface Suggestion {
  readonly id: string;
  readonly title: string;
  readonly fix: string;
  /** How well the measurements fit its signature, 0 to 1. */
  readonly fit: number;
}

/** Suggestions beyond this many say more about the catalogue than about the failure. */
const shown = 3;

/**
 * The mistakes most likely behind a failed scenario, best fit first: those of the catalogue that
 * can explain that scenario and whose signature the measurements fit at all. A signature that
 * cannot read the measurements (too few, another shape) fits nothing.
 */
export function diagnose(measured: Measurements, catalogue: readonly Mistake[] = mistakes): Suggestion[] {
  return catalogue
    .filter((mistake) => mistake.scenarios.includes(measured.scenario))
    .map((mistake) => ({ mistake, fit: fitOf(mistake, measured) }))
    .filter(({ fit }) => fit > 0)
    .sort((a, b) => b.fit - a.fit)
    .slice(0, shown)
    .map(({ mistake, fit }) => ({ id: mistake.id, title: mistake.title, fix: mistake.fix, fit }));
}

function fitOf(mistake: Mistake, measured: Measurements): number {
  try {
    const fit = mistake.signature(measured);
    return Number.isFinite(fit) ? Math.min(1, Math.max(0, fit)) : 0;
  } catch {
    return 0;
  }
}

/** A likely mistake in one line: its title, how well it fits, the fix, where it is explained. */
export function suggestionText(suggestion: Suggestion): string {
  return `${suggestion.title} (fit ${suggestion.fit.toFixed(2)}). Fix: ${suggestion.fix} See lbspec's docs/mistakes.md#${suggestion.id}.`;
}
