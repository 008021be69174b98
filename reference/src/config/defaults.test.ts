import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backendDefaults,
  circuitBreakerDefaults,
  healthCheckDefaults,
  outlierDetectionDefaults,
  poolDefaults,
  rateLimitDefaults,
  retryBudgetDefaults,
  retryDefaults,
  stickySessionDefaults,
  timeoutDefaults,
} from './defaults.ts';

// The defaults are read from the schema and cast to the types that require them: a default the
// schema loses (or never had) would leave a required field undefined at run time, unseen by tsc.
test('the schema gives a default for every field the resolved config requires but a document may omit', () => {
  const keys = (defaults: object) => Object.keys(defaults).sort();
  assert.deepEqual(keys(poolDefaults), [
    'algorithm',
    'hashMethod',
    'http2',
    'panicThresholdPercent',
    'timeouts',
  ]);
  assert.deepEqual(keys(backendDefaults), ['drain', 'weight']);
  assert.deepEqual(keys(healthCheckDefaults), [
    'expectedStatuses',
    'healthyThreshold',
    'initialState',
    'intervalMs',
    'path',
    'timeoutMs',
    'type',
    'unhealthyThreshold',
  ]);
  assert.deepEqual(keys(outlierDetectionDefaults), [
    'baseEjectionMs',
    'consecutiveFailures',
    'maxEjectionMs',
    'maxEjectionPercent',
  ]);
  assert.deepEqual(keys(timeoutDefaults), ['connectMs', 'responseMs']);
  assert.deepEqual(keys(circuitBreakerDefaults), [
    'consecutiveFailures',
    'failureOn',
    'halfOpenRequests',
    'maxOpenMs',
    'minimumRequests',
    'openMs',
    'windowMs',
  ]);
  assert.deepEqual(keys(retryDefaults), ['baseIntervalMs', 'maxIntervalMs', 'retryNonIdempotent', 'retryOn']);
  assert.deepEqual(keys(retryBudgetDefaults), ['minRetries']);
  assert.deepEqual(keys(stickySessionDefaults), ['cookie', 'httpOnly', 'path', 'sameSite']);
  assert.deepEqual(keys(rateLimitDefaults), [
    'key',
    'maxKeys',
    'name',
    'overrides',
    'trustedProxies',
    'whenMissing',
  ]);
});
