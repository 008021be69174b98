/** Text fitted to the room a report gives it, always at word boundaries, never inside a word. */

/** The first line of `text`, cut after the last whole word that fits in `max` characters, with "…". */
export function firstLineWithin(text: string, max: number): string {
  const line = text.split('\n')[0] ?? '';
  if (line.length <= max) return line;
  const cut = line.lastIndexOf(' ', max - 1);
  // A first word longer than the room is kept whole: cutting it would change what it says.
  const kept = cut > 0 ? line.slice(0, cut) : (line.split(' ')[0] ?? '');
  return `${kept.trimEnd()} …`;
}

/** `text` in lines of at most `width` characters, broken between words (a longer word gets a line of its own). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}
