/**
 * A field line (RFC 9110 5.1, 5.5; RFC 9112 5): a token, a colon, then field content (visible
 * ASCII, spaces, tabs, obs-text), optional whitespace around it. Groups: name, value.
 */
export const fieldLine = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[\t ]*([\t -~\x80-\xff]*?)[\t ]*$/;

/** The end of a head: an empty line. */
export const blankLine = Buffer.from('\r\n\r\n');
