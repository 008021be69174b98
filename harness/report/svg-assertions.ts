// For tests: checks on the SVG documents the report modules draw.
import assert from 'node:assert/strict';

/** Throws unless every element is closed in order and every attribute is quoted: well-formed enough for SVG. */
export function assertWellFormed(svg: string): void {
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

/** The text the marks of an SVG carry in their <title>s (unescaped), in document order. */
export function markTitles(svg: string): string[] {
  return [...svg.matchAll(/<(?:circle|rect)[^>]*><title>([^<]*)<\/title>/g)].map((match) =>
    (match[1] as string)
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&quot;', '"')
      .replaceAll('&amp;', '&'),
  );
}
