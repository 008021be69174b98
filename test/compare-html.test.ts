/**
 * The comparison's page as a browser shows it: run after `npm run compare -- --quick` (CI does),
 * it opens compare.html in headless Chromium and requires every workload's charts to be there and
 * drawn. LBSPEC_REPORTS_DIR names where the comparison wrote (default: reports).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { workloads } from '../harness/compare/workloads.ts';
import { evaluateInChromium, findChromium } from '../harness/report/headless-chromium.ts';
import { assertWellFormed, markTitles } from '../harness/report/svg-assertions.ts';

const reports = resolve(process.env.LBSPEC_REPORTS_DIR ?? 'reports');
const page = join(reports, 'compare.html');

interface SectionSeen {
  readonly id: string;
  readonly charts: number;
  readonly images: readonly { readonly src: string; readonly width: number }[];
}

// Runs in the page: each workload's section, the charts it says it has, and how each image drew.
const inspect = `[...document.querySelectorAll('section.workload')].map((section) => ({
  id: section.id.replace(/^workload-/, ''),
  charts: Number(section.dataset.charts),
  images: [...section.querySelectorAll('img.chart')].map((image) => ({
    src: image.getAttribute('src'),
    width: image.complete ? image.naturalWidth : 0,
  })),
}))`;

test('compare.html shows every workload with all its charts drawn in a browser', async () => {
  assert.ok(existsSync(page), `${page} is missing: run \`npm run compare -- --quick\` first`);
  const chromium = findChromium();
  assert.ok(
    chromium,
    'no Chromium found (chromium, chromium-browser, google-chrome): install one or set LBSPEC_CHROMIUM',
  );
  const sections = await evaluateInChromium<SectionSeen[]>(chromium, pathToFileURL(page).href, inspect);
  assert.deepEqual(
    sections.map((section) => section.id),
    workloads.map((workload) => workload.id),
    'one section per workload, in order',
  );
  for (const section of sections) {
    assert.ok(section.charts >= 4, `workload ${section.id} has ${section.charts} charts`);
    assert.equal(section.images.length, section.charts, `workload ${section.id}: charts on the page`);
    for (const image of section.images) {
      assert.ok(image.width > 0, `workload ${section.id}: ${image.src} did not draw`);
      const svg = readFileSync(join(reports, image.src), 'utf8');
      assertWellFormed(svg);
      assert.ok(markTitles(svg).length > 0, `${image.src} has no marks`);
    }
  }
});
