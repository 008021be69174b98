/** A request node's HTTP parser refused, as node reports it on a 'clientError'. */
export type ParseError = Error & {
  readonly code?: string;
  /** The bytes the parser was given last. */
  readonly rawPacket?: Buffer;
  /** How far into them it got. */
  readonly bytesParsed?: number;
};

/** The status a request the parser refused is answered with. */
export type ParseRefusalStatus = (error: ParseError) => number;

/**
 * The reference's, as node answers (431 for headers too large, 408 for headers too slow, 400 for
 * anything malformed), but a request line too long gets 414 (RFC 9110 15.5.15): the data that
 * overflowed starts a request, and the parser stopped before its first line end.
 */
export const parseRefusalStatus: ParseRefusalStatus = (error) => {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return requestLineUnfinished(error.rawPacket, error.bytesParsed) ? 414 : 431;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    default:
      return 400;
  }
};

// The parser stopped (bytesParsed) before the first line end of data that starts a request.
function requestLineUnfinished(packet: Buffer | undefined, stoppedAt: number | undefined): boolean {
  if (packet === undefined || !/^[A-Z]+ /.test(packet.subarray(0, 16).toString('latin1'))) return false;
  const lineEnd = packet.indexOf(10);
  return lineEnd < 0 || (stoppedAt !== undefined && stoppedAt < lineEnd);
}
