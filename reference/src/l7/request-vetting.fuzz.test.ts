// Fuzzing the request vetting: whatever target and Host come in, the answer is a refusal or an
// origin-form target whose path has nothing left to resolve, and vetting it again changes nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { untilBudget } from '../testing/fuzz-budget.ts';
import { normalisePath, vetRequest } from './request-vetting.ts';

// Targets built from the pieces that matter to paths, and any other text too.
const segment = fc.oneof(
  fc.constantFrom('', '.', '..', '%2e', '%2E%2e', '.%2e', 'a', 'api', '%2F', 'x.y', '...'),
  fc.string({ maxLength: 6 }),
);
const target = fc.oneof(
  fc
    .tuple(fc.array(segment, { maxLength: 8 }), fc.option(fc.string({ maxLength: 10 })))
    .map(([segments, query]) => `/${segments.join('/')}${query === null ? '' : `?${query}`}`),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('*', 'http://a.example/x/../y', 'http://a.example', 'https://[::1]:8/'),
);
const host = fc.oneof(
  fc.constantFrom('app.example', 'a.b:80', '[::1]:8080', ''),
  fc.string({ maxLength: 12 }),
);

test('a vetted path has no dot segments or doubled slashes, keeps its query, and vets to itself', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('GET', 'POST', 'OPTIONS'),
      target,
      fc.array(host, { maxLength: 2 }),
      (method, raw, hosts) => {
        const vetted = vetRequest(
          method,
          raw,
          hosts.flatMap((value) => ['Host', value]),
        );
        if (!vetted.ok) {
          assert.equal(vetted.status, 400);
          return;
        }
        if (vetted.target === '*') return;
        const queryAt = vetted.target.indexOf('?');
        const path = queryAt < 0 ? vetted.target : vetted.target.slice(0, queryAt);
        assert.ok(path.startsWith('/'), vetted.target);
        assert.ok(!path.includes('//'), vetted.target);
        for (const part of path.split('/'))
          assert.ok(!/^(\.|%2e){1,2}$/i.test(part), `${raw} -> ${vetted.target}`);
        assert.equal(normalisePath(vetted.target), vetted.target, 'normalising twice changes nothing');
        const rawQuery = raw.indexOf('?');
        if (rawQuery >= 0 && raw.startsWith('/'))
          assert.equal(vetted.target.slice(queryAt), raw.slice(rawQuery));
      },
    ),
    untilBudget(),
  );
});
