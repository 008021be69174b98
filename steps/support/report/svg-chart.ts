/**
 * Small, dependency-free SVG line charts for reports: axes with ticks, units, a legend, and every
 * plotted value also written as a <title> on its point, so a reader (or a test) can see the numbers.
 */

export interface Series {
  readonly name: string;
  /** [x, y] in the chart's own units, x already on the axis's scale (see xTicks). */
  readonly points: readonly (readonly [number, number])[];
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
  /** How a point's x is named in its tooltip; default: the number. */
  readonly describeX?: (x: number) => string;
}

const width = 720;
const height = 400;
const margin = { top: 40, right: 180, bottom: 50, left: 70 };
const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

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

function formatNumber(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return value.toLocaleString('en-US', { maximumFractionDigits: 0 });
  if (magnitude >= 10) return value.toFixed(0).replace(/\.0+$/, '');
  return Number(value.toPrecision(3)).toString();
}

/** Renders `chart` as a standalone SVG document. */
export function renderLineChart(chart: LineChart): string {
  const points = chart.series.flatMap((series) => series.points);
  if (points.length === 0) throw new Error(`chart "${chart.title}" has no points to draw`);
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new Error(`chart "${chart.title}" has a point that is not a finite number: (${x}, ${y})`);
    }
  }
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const xTicks =
    chart.xTicks ??
    evenTicks(Math.min(...xs), Math.max(...xs), 5).map((v) => ({ value: v, label: formatNumber(v) }));
  const xMin = Math.min(...xs, ...xTicks.map((tick) => tick.value));
  const xMax = Math.max(...xs, ...xTicks.map((tick) => tick.value));
  const yStep = niceStep(Math.max(...ys, 0) - Math.min(...ys, 0), 5);
  const yMin = Math.floor(Math.min(...ys, 0) / yStep) * yStep;
  const yMax = Math.max(Math.ceil(Math.max(...ys) / yStep) * yStep, yMin + yStep);
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const px = (x: number) =>
    margin.left + (xMax === xMin ? plotWidth / 2 : ((x - xMin) / (xMax - xMin)) * plotWidth);
  const py = (y: number) => margin.top + plotHeight - ((y - yMin) / (yMax - yMin)) * plotHeight;
  const describeX = chart.describeX ?? formatNumber;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="22" font-size="14" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  for (let y = yMin; y <= yMax + yStep / 1e6; y += yStep) {
    const at = py(y).toFixed(1);
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${at}" y2="${at}" stroke="#e0e0e0"/>`,
      `<text x="${margin.left - 6}" y="${at}" text-anchor="end" dominant-baseline="middle">${formatNumber(y)}</text>`,
    );
  }
  for (const tick of xTicks) {
    const at = px(tick.value).toFixed(1);
    parts.push(
      `<line x1="${at}" x2="${at}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#e0e0e0"/>`,
      `<text x="${at}" y="${margin.top + plotHeight + 16}" text-anchor="middle">${escapeXml(tick.label)}</text>`,
    );
  }
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}" stroke="black"/>`,
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="black"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
  );
  chart.series.forEach((series, index) => {
    const colour = palette[index % palette.length] as string;
    const path = series.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(`<g class="series" data-name="${escapeXml(series.name)}">`);
    parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const [x, y] of series.points) {
      parts.push(
        `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${colour}"><title>${escapeXml(`${series.name}: ${describeX(x)} -> ${formatNumber(y)} ${chart.yLabel}`)}</title></circle>`,
      );
    }
    parts.push('</g>');
    const legendY = margin.top + 10 + index * 20;
    const legendX = width - margin.right + 16;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 20}" y1="${legendY}" y2="${legendY}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${legendX + 26}" y="${legendY}" dominant-baseline="middle">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function evenTicks(min: number, max: number, count: number): number[] {
  const step = niceStep(max - min, count);
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let value = first; value <= max + step / 1e6; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}
