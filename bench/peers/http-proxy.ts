// A peer for the benchmark: the most used Node proxy library (http-proxy) as its README shows it,
// with keep-alive to the backends and round robin over them.
//   node --import tsx bench/peers/http-proxy.ts --listen 127.0.0.1:8080 --backends 127.0.0.1:9001,127.0.0.1:9002
import { Agent, createServer } from 'node:http';
import { parseArgs } from 'node:util';
import httpProxy from 'http-proxy';

const { values } = parseArgs({ options: { listen: { type: 'string' }, backends: { type: 'string' } } });
if (!values.listen || !values.backends) throw new Error('usage: --listen host:port --backends host:port,...');
const targets = values.backends.split(',').map((address) => `http://${address}`);
const [host, port] = values.listen.split(':') as [string, string];
const proxy = httpProxy.createProxyServer({
  agent: new Agent({ keepAlive: true, maxSockets: 256 }),
  xfwd: true,
});
proxy.on('error', (_error, _request, response) => {
  if ('writeHead' in response && !response.headersSent) response.writeHead(502);
  response.end();
});
let next = 0;
createServer((request, response) => {
  const target = targets[next] as string;
  next = (next + 1) % targets.length;
  proxy.web(request, response, { target });
}).listen(Number(port), host, () => process.stdout.write(`listening on ${values.listen}\n`));
process.stdin.on('end', () => process.exit(0)).resume();
