import { type DataTable, Given, Then, When } from '@cucumber/cucumber';
import { request } from 'undici';
import { ExpectationError } from '../harness/checks/expectations.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { recordProbe } from './support/probes.ts';
import { topicState } from './support/topic-state.ts';
import type { LbWorld } from './support/world.ts';

// Why the balancer refused the last config it was offered.
const reload = topicState(() => ({ refusal: undefined as string | undefined }));

Given("the balancer's admin endpoint needs the token {string}", function (this: LbWorld, token: string) {
  this.balancer.adminToken = token;
});

const authorisations: Readonly<Record<string, (token: string) => string | undefined>> = {
  'the token': (token) => `Bearer ${token}`,
  none: () => undefined,
  'a wrong one': (token) => `Bearer ${token.replace(/.$/, (last) => (last === 'x' ? 'y' : 'x'))}`,
  'the token without Bearer': (token) => token,
};

Then('its admin endpoint answers like this:', async function (this: LbWorld, table: DataTable) {
  const admin = this.balancer.config?.admin;
  const token = this.balancer.adminToken;
  if (!admin || token === undefined) throw new Error('the balancer has no admin endpoint with a token');
  const wrong: string[] = [];
  for (const { method = 'GET', path = '/', authorisation = 'none', status = '' } of table.hashes()) {
    const makeHeader = authorisations[authorisation];
    if (!makeHeader)
      throw new Error(`"${authorisation}" is not one of: ${Object.keys(authorisations).join(', ')}`);
    const header = makeHeader(token);
    const answer = await request(`http://${admin.address}${path}`, {
      method: method as 'GET',
      headers: header === undefined ? {} : { authorization: header },
      headersTimeout: timeouts.requestMs,
      bodyTimeout: timeouts.requestMs,
    });
    const body = await answer.body.text();
    // The token itself is left out: the evidence of a run is published.
    recordProbe(this, {
      sent: `${method} ${path} HTTP/1.1\r\n${header === undefined ? '' : `Authorization: (${authorisation})\r\n`}\r\n`,
      expected: [[Number(status)]],
      statuses: [answer.statusCode],
    });
    if (String(answer.statusCode) !== status)
      wrong.push(`${method} ${path} with ${authorisation}: expected ${status}, got ${answer.statusCode}`);
    if (body.includes(token) || JSON.stringify(answer.headers).includes(token))
      wrong.push(`${method} ${path} with ${authorisation}: the answer shows the token`);
  }
  if (wrong.length > 0)
    throw new ExpectationError(`the admin endpoint answered wrongly:\n  ${wrong.join('\n  ')}`);
});

When(
  'the balancer is offered a new config whose listener names the pool {string}',
  async function (this: LbWorld, pool: string) {
    const balancer = this.balancer.started;
    const config = this.balancer.config;
    if (!balancer?.offerRefusedConfig || !config)
      throw new Error('the balancer under test cannot report a refused reload');
    const [first, ...rest] = config.listeners;
    if (!first) throw new Error('the balancer has no listener');
    reload(this).refusal = await balancer.offerRefusedConfig({
      ...config,
      listeners: [{ ...first, pool }, ...rest],
    });
  },
);

Then('it refused it, saying {string}', function (this: LbWorld, expected: string) {
  const { refusal } = reload(this);
  if (refusal === undefined) throw new Error('no config was refused in this scenario');
  if (!refusal.includes(expected))
    throw new ExpectationError(`expected the refusal to say "${expected}", it said: ${refusal}`);
});
