import { escapeXml } from './svg-chart.ts';

/** Escapes text for HTML content and attribute values. */
export const escapeHtml = escapeXml;

/** The look every report page shares: tables, and a colour per outcome. */
const style = `body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1d1d1f; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d0d5; padding: 6px 10px; text-align: left; vertical-align: top; }
thead th { background: #f3f3f6; }
tr.feature th { background: #e8ecf5; font-size: 15px; }
.passed { background: #d9f2df; color: #0b5d1e; font-weight: 600; }
.failed, .missing { background: #fbdada; color: #8a1111; font-weight: 600; }
.unsupported { background: #eeeeee; color: #555; }
.skipped { background: #fff5d6; color: #6b5300; }
td.tasks { color: #555; white-space: nowrap; }
.reason { font-weight: normal; font-size: 12px; max-width: 28em; white-space: pre-wrap; }
.mistake { font-size: 12px; max-width: 28em; margin-top: 4px; color: #6a3d00; }
.verdict { font-size: 16px; font-weight: 600; }
img.chart { display: block; max-width: 720px; margin: 6px 0; border: 1px solid #d0d0d5; }`;

/** A self-contained HTML page (inline style, no scripts): opens from disk. `body` is already HTML. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
${style}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}
