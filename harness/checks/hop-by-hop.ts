/**
 * Which of a client's hop-by-hop values reached the backend. A proxy may send hop-by-hop headers of
 * its own on its own connection (RFC 9110 10.1.4: one that accepts trailers may send "TE: trailers"
 * upstream), so a header name alone proves nothing: what must not arrive is a list element the
 * client sent. Example: the client sent "TE: gzip", the backend got "TE: trailers": nothing passed
 * on; it got "TE: gzip, trailers": "TE: gzip" passed on. Names compare without case, elements
 * trimmed and, for tokens like "gzip", without case too.
 */
export function clientValuesPassedOn(
  sent: readonly (readonly [string, string])[],
  received: Readonly<Record<string, string | readonly string[]>>,
  names: readonly string[],
): string[] {
  const passedOn: string[] = [];
  for (const name of names) {
    const lower = name.toLowerCase();
    const got = received[lower];
    if (got === undefined) continue;
    const gotElements = new Set(listElements(Array.isArray(got) ? got.join(', ') : String(got)));
    for (const [sentName, sentValue] of sent) {
      if (sentName.toLowerCase() !== lower) continue;
      const leaked = listElements(sentValue).filter((element) => gotElements.has(element));
      if (leaked.length > 0) passedOn.push(`${name}: ${leaked.join(', ')}`);
    }
  }
  return passedOn;
}

function listElements(value: string): string[] {
  return value
    .split(',')
    .map((element) => element.trim().toLowerCase())
    .filter(Boolean);
}
