import assert from 'node:assert/strict';
import test from 'node:test';
import { assembleReport, type ScenarioResult } from './conformance.ts';
import { mergeShards } from './merge.ts';

const adapter = { name: 'lb', version: '1', capabilities: { supported: [], reasons: {} } };

function scenario(id: string, outcome: ScenarioResult['outcome'], evidence?: string[]): ScenarioResult {
  return {
    id,
    name: `scenario ${id}`,
    feature: 'Round robin',
    uri: 'features/round-robin.feature',
    tags: ['@task-01', '@l7', `@id:${id}`],
    outcome,
    durationMs: 10,
    ...(evidence ? { evidence } : {}),
  };
}

function shard(startedAt: string, durationMs: number, scenarios: ScenarioResult[]) {
  return assembleReport({ adapter, backendProvider: 'process', startedAt, durationMs }, scenarios);
}

test('shards merge into the report one run of them all gives: every scenario, totals, verdict', () => {
  const whole = shard('2026-12-03T10:00:00.000Z', 5000, [
    scenario('a', 'passed'),
    scenario('b', 'failed'),
    scenario('c', 'unsupported'),
  ]);
  const { report } = mergeShards([
    { source: 's1', report: shard('2026-12-03T10:00:01.000Z', 1000, [scenario('a', 'passed')]) },
    { source: 's2', report: shard('2026-12-03T10:00:00.000Z', 4000, [scenario('b', 'failed')]) },
    { source: 's3', report: shard('2026-12-03T10:00:03.000Z', 2000, [scenario('c', 'unsupported')]) },
  ]);
  assert.deepEqual(report.totals, whole.totals);
  assert.deepEqual(report.byTask, whole.byTask);
  assert.deepEqual(report.byFeature, whole.byFeature);
  assert.equal(report.verdict, 'fail');
  assert.equal(report.startedAt, '2026-12-03T10:00:00.000Z');
  assert.equal(report.durationMs, 5000, 'from the first start to the last end');
  const passing = mergeShards([
    { source: 's1', report: shard('2026-12-03T10:00:00.000Z', 1, [scenario('a', 'passed')]) },
    { source: 's2', report: shard('2026-12-03T10:00:00.000Z', 1, []) },
  ]);
  assert.equal(passing.report.verdict, 'pass', 'an empty shard changes nothing');
});

test('evidence keeps one directory per scenario, numbered where two shards used the same', () => {
  const first = {
    ...scenario('a', 'failed', ['evidence/round-robin/x/evidence.txt', 'evidence/round-robin/x/chart.svg']),
    name: 'x',
  };
  const second = { ...scenario('b', 'failed', ['evidence/round-robin/x/evidence.txt']), name: 'x' };
  const { report, moves } = mergeShards([
    { source: 's1', report: shard('2026-12-03T10:00:00.000Z', 1, [first]) },
    { source: 's2', report: shard('2026-12-03T10:00:00.000Z', 1, [second]) },
  ]);
  assert.deepEqual(
    report.scenarios.map((s) => s.evidence),
    [
      ['evidence/round-robin/x/evidence.txt', 'evidence/round-robin/x/chart.svg'],
      ['evidence/round-robin/x-2/evidence.txt'],
    ],
  );
  assert.deepEqual(moves.at(-1), {
    source: 's2',
    from: 'evidence/round-robin/x/evidence.txt',
    to: 'evidence/round-robin/x-2/evidence.txt',
  });
});

test('an interrupted shard makes the merged run interrupted and failing', () => {
  const cut = {
    ...shard('2026-12-03T10:00:00.000Z', 1, [scenario('a', 'passed')]),
    interrupted: { signal: 'SIGTERM', unfinished: 2 },
  };
  const { report } = mergeShards([
    { source: 's1', report: cut },
    { source: 's2', report: shard('2026-12-03T10:00:00.000Z', 1, [scenario('b', 'passed')]) },
  ]);
  assert.deepEqual(report.interrupted, { signal: 'SIGTERM', unfinished: 2 });
  assert.equal(report.verdict, 'fail');
});

test('a shard given twice, or shards of different balancers, are refused', () => {
  const one = shard('2026-12-03T10:00:00.000Z', 1, [scenario('a', 'passed')]);
  assert.throws(
    () =>
      mergeShards([
        { source: 's1', report: one },
        { source: 's1-again', report: one },
      ]),
    /scenario a is in both s1 and s1-again/,
  );
  const other = { ...one, adapter: { ...adapter, name: 'other' }, scenarios: [] };
  assert.throws(
    () =>
      mergeShards([
        { source: 's1', report: one },
        { source: 's2', report: other },
      ]),
    /different balancers: lb 1 \(s1\), other 1 \(s2\)/,
  );
  assert.throws(() => mergeShards([]), /no shard reports/);
});
