import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeXml, niceStep, renderLineChart } from './svg-chart.ts';

/** Throws unless every element is closed in order and every attribute is quoted: well-formed enough for SVG. */
function assertWellFormed(svg: string): void {
  const open: string[] = [];
  for (const [, closing, name, attributes, selfClosing] of svg.matchAll(
    /<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g,
  )) {
    assert.doesNotMatch(attributes ?? '', /=\s*[^"\s]/, `unquoted attribute in <${name}${attributes}>`);
    if (closing) assert.equal(open.pop(), name, `</${name}> closes the wrong element`);
    else if (!selfClosing) open.push(name as string);
  }
  assert.deepEqual(open, [], 'elements left open');
  assert.doesNotMatch(svg.replace(/<[^>]*>/g, ''), /[<>]|&(?!amp;|lt;|gt;|quot;)/, 'unescaped text');
}

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
