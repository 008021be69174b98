// The two ends of the TCP throughput benchmark, as small processes of their own so neither shares
// a core's time with the bench's bookkeeping:
//   node bench/tcp-bulk.ts serve --listen 127.0.0.1:9001
//     on each connection, reads a byte count ("1073741824\n"), sends that many bytes, then ends;
//   node bench/tcp-bulk.ts fetch --connect 127.0.0.1:8080 --bytes 1073741824
//     asks for that many bytes, reads them into one reused buffer (no allocation per read), and
//     prints {"bytes":...,"seconds":...} once the sender has ended; exits 1 on a short transfer.
import { connect, createServer, type Socket } from 'node:net';
import { readCommandLine, usageError } from '../scripts/command-line.ts';

const chunkBytes = 1024 * 1024;
// The same bytes go out again and again: the sender does no work per byte, as a file server with
// the page cache warm would not.
const chunk = Buffer.alloc(chunkBytes, 'lbspec-tcp-bulk ');

const usage = `usage: node bench/tcp-bulk.ts serve --listen HOST:PORT
       node bench/tcp-bulk.ts fetch --connect HOST:PORT --bytes N`;
const { positionals, values } = readCommandLine(
  usage,
  { listen: { type: 'string' }, connect: { type: 'string' }, bytes: { type: 'string' } },
  { allowPositionals: true },
);

function hostAndPort(address: string | undefined, option: string): { host: string; port: number } {
  const match = /^(.+):(\d+)$/.exec(address ?? '');
  if (!match) throw new Error(`--${option} must be host:port, got "${address ?? ''}"`);
  return { host: match[1] as string, port: Number(match[2]) };
}

/** Writes `remaining` bytes of `chunk` to `socket`, waiting for 'drain' when its buffer is full. */
function send(socket: Socket, remaining: number): void {
  while (remaining > 0) {
    const piece = remaining >= chunkBytes ? chunk : chunk.subarray(0, remaining);
    remaining -= piece.length;
    if (!socket.write(piece)) {
      socket.once('drain', () => send(socket, remaining));
      return;
    }
  }
  socket.end();
}

function serve(): void {
  const { host, port } = hostAndPort(values.listen, 'listen');
  const server = createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    let request = '';
    socket.on('data', function readCount(data: Buffer) {
      request += data.toString('latin1');
      const end = request.indexOf('\n');
      if (end < 0) return;
      socket.off('data', readCount);
      const bytes = Number(request.slice(0, end));
      if (!Number.isSafeInteger(bytes) || bytes < 0) socket.destroy();
      else send(socket, bytes);
    });
  });
  server.listen(port, host, () => process.stdout.write(`listening on ${values.listen}\n`));
  process.stdin.on('end', () => process.exit(0)).resume();
}

function fetch(): void {
  const { host, port } = hostAndPort(values.connect, 'connect');
  const wanted = Number(values.bytes);
  if (!Number.isSafeInteger(wanted) || wanted < 1)
    throw new Error(`--bytes must be a whole number of at least 1, got "${values.bytes}"`);
  let received = 0;
  let started = 0n;
  const socket = connect({
    host,
    port,
    noDelay: true,
    onread: {
      buffer: Buffer.allocUnsafe(chunkBytes),
      callback: (bytes: number) => {
        received += bytes;
        return true;
      },
    },
  });
  socket.once('connect', () => {
    started = process.hrtime.bigint();
    socket.write(`${wanted}\n`);
  });
  socket.once('end', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`${JSON.stringify({ bytes: received, seconds })}\n`);
    process.exitCode = received === wanted ? 0 : 1;
    socket.destroy();
  });
  socket.once('error', (error) => {
    process.stderr.write(`tcp-bulk fetch from ${values.connect}: ${error.message}\n`);
    process.exit(1);
  });
}

if (positionals[0] === 'serve') serve();
else if (positionals[0] === 'fetch') fetch();
else usageError(`say serve or fetch, not "${positionals[0] ?? ''}"`, usage);
