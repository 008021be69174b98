/**
 * Small, dependency-free SVG charts for reports: axes with ticks, units, a legend, and every
 * plotted value also written as a <title> on its mark, so a reader (or a test) can see the numbers.
 */

import { wrapWords } from './text-fit.ts';

export interface Series {
  readonly name: string;
  /** [x, y] in the chart's own units, x already on the axis's scale (see xTicks). */
  readonly points: readonly (readonly [number, number])[];
  /**
   * line: points joined (the default); step: the value holds until the next point (counts, states);
   * points: marks only (events); dashed: a bound or guide drawn thin and dashed.
   */
  readonly style?: 'line' | 'step' | 'points' | 'dashed';
}

export interface Tick {
  readonly value: number;
  readonly label: string;
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Where to mark the x axis; default: five evenly spaced values. */
  readonly xTicks?: readonly Tick[];
  /** Where to mark the y axis (lanes of a timeline); default: nice values from zero. */
  readonly yTicks?: readonly Tick[];
  /** The x axis's extent when it must differ from the points' and ticks' (room around categories). */
  readonly xDomain?: readonly [number, number];
  /** How a point's x is named in its tooltip; default: the number. */
  readonly describeX?: (x: number) => string;
}

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** The value a correct balancer would give on average. */
  readonly expected?: number;
  /** The range the value had to fall in; a bar outside it is drawn in red. */
  readonly low?: number;
  readonly high?: number;
}

export interface BarChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly bars: readonly Bar[];
}

const width = 720;
const height = 400;
const margin = { top: 40, right: 180, bottom: 50, left: 70 };
const plotWidth = width - margin.left - margin.right;
const plotHeight = height - margin.top - margin.bottom;
const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const colours = { ok: '#1f77b4', outside: '#d62728', band: '#2ca02c', expected: '#000000' };

/** Escapes text for SVG element content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** A "nice" step (1, 2 or 5 times a power of ten) giving about `count` ticks over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const multiple = [1, 2, 5, 10].find((m) => m * power >= raw) ?? 10;
  return multiple * power;
}

export function formatNumber(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return value.toLocaleString('en-US', { maximumFractionDigits: 0 });
  if (magnitude >= 10) return value.toFixed(0).replace(/\.0+$/, '');
  return Number(value.toPrecision(3)).toString();
}

function requireFinite(title: string, values: readonly number[]): void {
  const bad = values.find((value) => !Number.isFinite(value));
  if (bad !== undefined) throw new Error(`chart "${title}" has a value that is not a finite number: ${bad}`);
}

/** A y axis from zero (or below, for negative values) to a nice value above the largest. */
function yAxisFor(
  values: readonly number[],
  ticks?: readonly Tick[],
): { min: number; max: number; ticks: Tick[] } {
  if (ticks && ticks.length > 0) {
    const tickValues = ticks.map((tick) => tick.value);
    const min = Math.min(...values, ...tickValues);
    const max = Math.max(...values, ...tickValues);
    const pad = max === min ? 1 : (max - min) * 0.08;
    return { min: min - pad, max: max + pad, ticks: [...ticks] };
  }
  const step = niceStep(Math.max(...values, 0) - Math.min(...values, 0), 5);
  const min = Math.floor(Math.min(...values, 0) / step) * step;
  const max = Math.max(Math.ceil(Math.max(...values) / step) * step, min + step);
  const nice: Tick[] = [];
  for (let value = min; value <= max + step / 1e6; value += step) {
    const rounded = Number(value.toPrecision(12));
    nice.push({ value: rounded, label: formatNumber(rounded) });
  }
  return { min, max, ticks: nice };
}

interface Frame {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xTicks: readonly Tick[];
  readonly yTicks: readonly Tick[];
  /** Lane names go inside the plot, above their line, instead of beside the axis. */
  readonly lanes?: boolean;
  readonly px: (x: number) => number;
  readonly py: (y: number) => number;
}

/** The document's opening, title, grid, ticks and axes: everything but the marks and legend. */
function framing(frame: Frame): string[] {
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(frame.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="22" font-size="14" font-weight="bold">${escapeXml(frame.title)}</text>`,
  ];
  for (const tick of frame.yTicks) {
    const y = frame.py(tick.value);
    const label = frame.lanes
      ? `<text x="${margin.left + 4}" y="${(y - 8).toFixed(1)}" fill="#555555">${escapeXml(tick.label)}</text>`
      : `<text x="${margin.left - 6}" y="${y.toFixed(1)}" text-anchor="end" dominant-baseline="middle">${escapeXml(tick.label)}</text>`;
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e0e0e0"/>`,
      label,
    );
  }
  for (const tick of frame.xTicks) {
    const at = frame.px(tick.value).toFixed(1);
    parts.push(
      `<line x1="${at}" x2="${at}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#e0e0e0"/>`,
      `<text x="${at}" y="${margin.top + plotHeight + 16}" text-anchor="middle">${escapeXml(tick.label)}</text>`,
    );
  }
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}" stroke="black"/>`,
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="black"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(frame.xLabel)}</text>`,
  );
  if (frame.yLabel !== '')
    parts.push(
      `<text transform="translate(18 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(frame.yLabel)}</text>`,
    );
  return parts;
}

type Sample = (x1: number, x2: number, y: number) => string;

// What fits right of a legend's sample, at the charts' font size.
const legendChars = 22;
const legendLineHeight = 14;

/**
 * The legend, down the margin right of the plot: each entry a sample of its mark and its name,
 * wrapped between words to the margin's width, each entry below the lines of the one before.
 */
function legend(entries: readonly (readonly [string, Sample])[]): string[] {
  const x = width - margin.right + 16;
  const parts: string[] = [];
  let y = margin.top + 10;
  for (const [name, sample] of entries) {
    const lines = wrapWords(name, legendChars);
    const spans = lines.map(
      (line, i) => `<tspan x="${x + 26}" dy="${i === 0 ? 0 : legendLineHeight}">${escapeXml(line)}</tspan>`,
    );
    parts.push(sample(x, x + 20, y), `<text y="${y}" dominant-baseline="middle">${spans.join('')}</text>`);
    y += 20 + legendLineHeight * (lines.length - 1);
  }
  return parts;
}

const lineSample =
  (colour: string, dashed: boolean): Sample =>
  (x1, x2, y) =>
    `<line x1="${x1}" x2="${x2}" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="3"${dashed ? ' stroke-dasharray="6 3"' : ''}/>`;

const boxSample =
  (colour: string, opacity: number): Sample =>
  (x1, x2, y) =>
    `<rect x="${x1}" y="${y - 6}" width="${x2 - x1}" height="12" fill="${colour}" fill-opacity="${opacity}"/>`;

/** Renders `chart` as a standalone SVG document. */
export function renderLineChart(chart: LineChart): string {
  const points = chart.series.flatMap((series) => series.points);
  if (points.length === 0) throw new Error(`chart "${chart.title}" has no points to draw`);
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  requireFinite(chart.title, [...xs, ...ys]);
  const xTicks =
    chart.xTicks ??
    evenTicks(Math.min(...xs), Math.max(...xs), 5).map((v) => ({ value: v, label: formatNumber(v) }));
  const xMin = Math.min(...xs, ...xTicks.map((tick) => tick.value), ...(chart.xDomain ?? []));
  const xMax = Math.max(...xs, ...xTicks.map((tick) => tick.value), ...(chart.xDomain ?? []));
  const yAxis = yAxisFor(ys, chart.yTicks);
  const px = (x: number) =>
    margin.left + (xMax === xMin ? plotWidth / 2 : ((x - xMin) / (xMax - xMin)) * plotWidth);
  const py = (y: number) =>
    margin.top + plotHeight - ((y - yAxis.min) / (yAxis.max - yAxis.min)) * plotHeight;
  const describeX = chart.describeX ?? formatNumber;
  const describeY = (y: number) =>
    chart.yTicks?.find((tick) => tick.value === y)?.label ?? `${formatNumber(y)} ${chart.yLabel}`;

  const parts = framing({ ...chart, xTicks, yTicks: yAxis.ticks, lanes: chart.yTicks !== undefined, px, py });
  const entries: [string, Sample][] = [];
  chart.series.forEach((series, index) => {
    const colour = palette[index % palette.length] as string;
    const style = series.style ?? 'line';
    parts.push(`<g class="series" data-name="${escapeXml(series.name)}" data-style="${style}">`);
    if (style !== 'points' && series.points.length > 0) {
      const corners = style === 'step' ? stepCorners(series.points) : series.points;
      const path = corners.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
      const stroke = style === 'dashed' ? ' stroke-width="1.5" stroke-dasharray="6 3"' : ' stroke-width="2"';
      parts.push(`<polyline points="${path}" fill="none" stroke="${colour}"${stroke}/>`);
    }
    const radius = style === 'dashed' ? 2 : 3;
    for (const [x, y] of series.points) {
      parts.push(
        `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="${radius}" fill="${colour}"><title>${escapeXml(`${series.name}: ${describeX(x)} -> ${describeY(y)}`)}</title></circle>`,
      );
    }
    parts.push('</g>');
    entries.push([series.name, lineSample(colour, style === 'dashed')]);
  });
  parts.push(...legend(entries));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * Renders `chart` as bars, one per category: each bar's value, with the range it had to fall in
 * as a green band and the expected value as a black mark; a bar outside its range is red.
 */
export function renderBarChart(chart: BarChart): string {
  if (chart.bars.length === 0) throw new Error(`chart "${chart.title}" has no bars to draw`);
  const values = chart.bars.flatMap((bar) => [
    bar.value,
    ...[bar.expected, bar.low, bar.high].filter((v): v is number => v !== undefined),
  ]);
  requireFinite(chart.title, values);
  const yAxis = yAxisFor(values);
  const slot = plotWidth / chart.bars.length;
  const xTicks = chart.bars.map((bar, index) => ({ value: index, label: bar.label }));
  const px = (index: number) => margin.left + slot * (index + 0.5);
  const py = (y: number) =>
    margin.top + plotHeight - ((y - yAxis.min) / (yAxis.max - yAxis.min)) * plotHeight;
  const parts = framing({ ...chart, xTicks, yTicks: yAxis.ticks, px, py });
  const barWidth = Math.min(60, slot * 0.5);
  chart.bars.forEach((bar, index) => {
    const centre = px(index);
    const left = (centre - barWidth / 2).toFixed(1);
    const outside =
      (bar.low !== undefined && bar.value < bar.low) || (bar.high !== undefined && bar.value > bar.high);
    const range =
      bar.low === undefined && bar.high === undefined
        ? ''
        : `, allowed ${formatNumber(bar.low ?? 0)}..${formatNumber(bar.high ?? bar.value)}`;
    const expected = bar.expected === undefined ? '' : `, expected ${formatNumber(bar.expected)}`;
    parts.push(
      `<g class="bar" data-label="${escapeXml(bar.label)}" data-value="${bar.value}"${outside ? ' data-outside="true"' : ''}>`,
    );
    if (bar.low !== undefined || bar.high !== undefined) {
      const top = py(bar.high ?? bar.value);
      const bottom = py(bar.low ?? 0);
      parts.push(
        `<rect x="${(centre - barWidth * 0.8).toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth * 1.6).toFixed(1)}" height="${Math.max(bottom - top, 1).toFixed(1)}" fill="${colours.band}" fill-opacity="0.25"/>`,
      );
    }
    const top = py(Math.max(bar.value, 0));
    const bottom = py(Math.min(bar.value, 0));
    parts.push(
      `<rect x="${left}" y="${top.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${Math.max(bottom - top, 0.5).toFixed(1)}" fill="${outside ? colours.outside : colours.ok}"><title>${escapeXml(`${bar.label}: ${formatNumber(bar.value)} ${chart.yLabel}${expected}${range}`)}</title></rect>`,
    );
    if (bar.expected !== undefined) {
      const at = py(bar.expected).toFixed(1);
      parts.push(
        `<line x1="${(centre - barWidth * 0.8).toFixed(1)}" x2="${(centre + barWidth * 0.8).toFixed(1)}" y1="${at}" y2="${at}" stroke="${colours.expected}" stroke-width="2"/>`,
      );
    }
    parts.push('</g>');
  });
  // Bars without a range to fall in are neither within nor outside one: no legend for them.
  const entries: [string, Sample][] = [];
  if (chart.bars.some((bar) => bar.low !== undefined || bar.high !== undefined))
    entries.push(
      ['within range', boxSample(colours.ok, 1)],
      ['outside range', boxSample(colours.outside, 1)],
      ['allowed range', boxSample(colours.band, 0.25)],
    );
  if (chart.bars.some((bar) => bar.expected !== undefined))
    entries.push(['expected', lineSample(colours.expected, false)]);
  parts.push(...legend(entries));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

// A step line's corners: each value holds until the next point's x.
function stepCorners(points: readonly (readonly [number, number])[]): (readonly [number, number])[] {
  const corners: (readonly [number, number])[] = [];
  points.forEach(([x, y], index) => {
    const previous = points[index - 1];
    if (previous) corners.push([x, previous[1]]);
    corners.push([x, y]);
  });
  return corners;
}

function evenTicks(min: number, max: number, count: number): number[] {
  const step = niceStep(max - min, count);
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let value = first; value <= max + step / 1e6; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}
