import type { IncomingMessage } from 'node:http';
import { bodyMayFollow } from './http2-front.ts';

/** A request's body as its attempts send it: held in memory (null: none), or left to stream once. */
export type RequestBody =
  | { readonly replayable: true; readonly bytes: Buffer | null }
  | { readonly replayable: false };

/** What of a request's body is held before its first attempt; `retriesWanted`: its pool may retry it. */
export type RequestBodyHolder = (request: IncomingMessage, retriesWanted: boolean) => Promise<RequestBody>;

/** Bodies up to this size are kept in memory so a retry can send them again. */
const replayableBodyLimit = 64 * 1024;

/**
 * The reference's: the body read into memory when it is small, its length is known and retries
 * may need it; otherwise left to stream (then the request is sent once).
 */
export const holdBodyForRetries: RequestBodyHolder = async (request, retriesWanted) => {
  const length = request.headers['content-length'];
  // Of unknown length: chunked, or an HTTP/2 body without Content-Length, framed by its stream's end.
  const chunked =
    request.headers['transfer-encoding'] !== undefined || (length === undefined && bodyMayFollow(request));
  if (!chunked && (length === undefined || length === '0')) return { replayable: true, bytes: null };
  if (!retriesWanted || chunked || Number(length) > replayableBodyLimit) return { replayable: false };
  return { replayable: true, bytes: await readWhole(request) };
};

/** Every byte of the request's body, in one buffer. */
export async function readWhole(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
