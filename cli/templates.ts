import { capabilityTable } from '../harness/spec/capabilities-file.ts';

/**
 * lbspec.json as `lbspec init` writes it: the command to fill in, and every capability with its
 * meaning, all off, for the user to switch on as the balancer learns them.
 */
export function projectFileTemplate(): string {
  const document = {
    $comment:
      'lbspec settings: switch a capability on ("supported": true) once your balancer does what its meaning says; scenarios needing one that is off are reported unsupported. An optional "reason" says why one is off. Run `npx lbspec` here.',
    command: './my-balancer --config {config}',
    reload: 'restart',
    stopSignal: 'SIGTERM',
    capabilities: capabilityTable(),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

const shards = 3;

/** A GitHub Actions workflow: the suite in shards, then one merged report, kept as an artifact. */
export function githubWorkflow(): string {
  return `# Runs the lbspec conformance suite in ${shards} shards and merges their reports into one.
# Build your balancer in the "Build" step; lbspec.json says how to start it.
name: lbspec
on: [push, pull_request]
jobs:
  conformance:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        shard: [${Array.from({ length: shards }, (_, i) => i + 1).join(', ')}]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
      - name: Build
        run: echo "build your balancer here"
      - name: Conformance (shard \${{ matrix.shard }} of ${shards})
        run: npx --yes lbspec --shard \${{ matrix.shard }}/${shards} --reports lbspec-reports/shard-\${{ matrix.shard }}
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: lbspec-shard-\${{ matrix.shard }}
          path: lbspec-reports/shard-\${{ matrix.shard }}
  report:
    needs: conformance
    if: always()
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
        with:
          node-version: 22
      - uses: actions/download-artifact@v4
        with:
          pattern: lbspec-shard-*
          path: shards
      - name: One report, one verdict
        run: npx --yes lbspec merge --reports lbspec-reports shards/*
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: lbspec-reports
          path: lbspec-reports
`;
}

/** A GitLab CI job to include: the suite in shards (parallel), then the merged report. */
export function gitlabJob(): string {
  return `# Include from .gitlab-ci.yml:  include: { local: lbspec.gitlab-ci.yml }
# Runs the lbspec conformance suite in ${shards} shards and merges their reports into one.
lbspec:
  image: node:22
  stage: test
  parallel: ${shards}
  script:
    - echo "build your balancer here"
    - npx --yes lbspec --shard $CI_NODE_INDEX/$CI_NODE_TOTAL --reports lbspec-reports/shard-$CI_NODE_INDEX
  artifacts:
    when: always
    paths: [lbspec-reports/]
    reports:
      junit: lbspec-reports/shard-*/junit.xml

lbspec-report:
  image: node:22
  stage: .post
  when: always
  needs: [lbspec]
  script:
    - npx --yes lbspec merge --reports lbspec-reports/merged lbspec-reports/shard-*
  artifacts:
    when: always
    paths: [lbspec-reports/merged/]
`;
}
