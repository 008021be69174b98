import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertWellFormed, markTitles } from './svg-assertions.ts';
import { escapeXml, niceStep, renderBarChart, renderLineChart } from './svg-chart.ts';

const chart = {
  title: 'Latency <by> percentile & target',
  xLabel: 'percentile',
  yLabel: 'ms',
  series: [
    {
      name: 'nginx',
      points: [
        [0.3, 1.2],
        [1, 2.5],
        [2, 7.75],
      ],
    },
    {
      name: 'ref "A"',
      points: [
        [0.3, 1.9],
        [1, 3.1],
        [2, 12],
      ],
    },
  ] as const,
  xTicks: [
    { value: 0.3, label: 'p50' },
    { value: 1, label: 'p90' },
    { value: 2, label: 'p99' },
  ],
};

test('a line chart is well-formed SVG with a title, axes labels, ticks and a legend', () => {
  const svg = renderLineChart(chart);
  assertWellFormed(svg);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<title>Latency &lt;by&gt; percentile &amp; target<\/title>/);
  for (const label of ['percentile', 'ms', 'p50', 'p90', 'p99', 'nginx', 'ref &quot;A&quot;']) {
    assert.ok(svg.includes(`>${label}<`), `the chart shows "${label}"`);
  }
  assert.equal((svg.match(/<polyline /g) ?? []).length, 2);
});

test('every point carries its numbers, so the chart says what it shows', () => {
  const svg = renderLineChart({ ...chart, describeX: (x) => `x=${x}` });
  assert.ok(svg.includes('<title>nginx: x=2 -&gt; 7.75 ms</title>'));
  assert.ok(svg.includes('<title>ref &quot;A&quot;: x=2 -&gt; 12 ms</title>'));
  assert.equal((svg.match(/<circle /g) ?? []).length, 6);
});

test('the y axis starts at zero and ends on a nice value above the largest point', () => {
  const svg = renderLineChart(chart);
  const yLabels = [...svg.matchAll(/text-anchor="end" dominant-baseline="middle">([^<]+)</g)].map(
    (m) => m[1],
  );
  assert.deepEqual(yLabels, ['0', '5', '10', '15']);
});

test('bad charts are refused with the reason', () => {
  assert.throws(() => renderLineChart({ ...chart, series: [] }), /has no points/);
  assert.throws(
    () => renderLineChart({ ...chart, series: [{ name: 'x', points: [[1, Number.NaN]] }] }),
    /not a finite number/,
  );
});

test('nice steps and escaping', () => {
  assert.equal(niceStep(12, 5), 5);
  assert.equal(niceStep(1, 5), 0.2);
  assert.equal(niceStep(0, 5), 1);
  assert.equal(escapeXml('<a & "b">'), '&lt;a &amp; &quot;b&quot;&gt;');
});

test('a bar chart shows each value against its expected value and range, and marks the bars outside', () => {
  const svg = renderBarChart({
    title: 'Requests per backend',
    xLabel: 'backend',
    yLabel: 'requests',
    bars: [
      { label: 'b1', value: 2989, expected: 2000, low: 1815, high: 2188 },
      { label: 'b2', value: 2011, expected: 2000, low: 1815, high: 2188 },
      { label: 'b3', value: 0, expected: 2000, low: 1815, high: 2188 },
    ],
  });
  assertWellFormed(svg);
  assert.deepEqual(markTitles(svg), [
    'b1: 2,989 requests, expected 2,000, allowed 1,815..2,188',
    'b2: 2,011 requests, expected 2,000, allowed 1,815..2,188',
    'b3: 0 requests, expected 2,000, allowed 1,815..2,188',
  ]);
  assert.equal((svg.match(/data-outside="true"/g) ?? []).length, 2);
  for (const label of ['within range', 'outside range', 'allowed range', 'expected', 'backend', 'b3'])
    assert.ok(svg.includes(`>${label}<`), `the chart shows "${label}"`);
});

test('step lines hold each value until the next point; dashed guides and point-only series draw as told', () => {
  const svg = renderLineChart({
    title: 'styles',
    xLabel: 's',
    yLabel: 'requests',
    series: [
      {
        name: 'count',
        style: 'step',
        points: [
          [0, 1],
          [1, 3],
          [2, 2],
        ],
      },
      {
        name: 'bound',
        style: 'dashed',
        points: [
          [0, 5],
          [2, 7],
        ],
      },
      { name: 'events', style: 'points', points: [[0.5, 4]] },
    ],
  });
  assertWellFormed(svg);
  const polylines = [...svg.matchAll(/<polyline points="([^"]+)"([^>]*)>/g)];
  assert.equal(polylines.length, 2, 'no line joins the point-only series');
  assert.equal(polylines[0]?.[1]?.split(' ').length, 5, 'a step line turns a corner before each new value');
  assert.match(polylines[1]?.[2] ?? '', /stroke-dasharray/);
  assert.deepEqual(markTitles(svg).slice(-1), ['events: 0.5 -> 4 requests']);
});

test('lanes are named inside the plot and each event says which lane it is on', () => {
  const svg = renderLineChart({
    title: 'timeline',
    xLabel: 's',
    yLabel: '',
    yTicks: [
      { value: 2, label: 'arrived' },
      { value: 1, label: 'refused' },
    ],
    series: [
      { name: 'arrived', style: 'points', points: [[0, 2]] },
      { name: 'refused', style: 'points', points: [[1, 1]] },
    ],
  });
  assertWellFormed(svg);
  assert.deepEqual(markTitles(svg), ['arrived: 0 -> arrived', 'refused: 1 -> refused']);
  assert.doesNotMatch(svg, /rotate\(-90\)/, 'no empty y axis title');
});

test('a long legend name is wrapped between words, and the next entry goes below its lines', () => {
  const long = 'requests refused by the balancer with 429 while the bucket was empty';
  const svg = renderLineChart({
    title: 'legend',
    xLabel: 's',
    yLabel: 'requests',
    series: [
      { name: long, points: [[0, 1]] },
      { name: 'accepted', points: [[1, 2]] },
    ],
  });
  assertWellFormed(svg);
  const lines = [...svg.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((match) => match[1] as string);
  assert.equal(lines.slice(0, -1).join(' '), long, 'every word of the name, in order, none cut');
  assert.ok(
    lines.every((line) => line.length <= 22),
    `lines too long: ${lines.join(' | ')}`,
  );
  const ys = [...svg.matchAll(/<text y="([\d.]+)" dominant-baseline/g)].map((match) => Number(match[1]));
  assert.ok((ys[1] as number) - (ys[0] as number) >= 14 * (lines.length - 2) + 20, `entries at ${ys}`);
});
