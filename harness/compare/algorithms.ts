import type { Capability } from '../spec/capabilities.ts';
import type { PoolDocument } from '../spec/config-document.ts';

/** One way of choosing backends, as the comparison runs it: the pool fields that select it. */
export interface AlgorithmSetup {
  readonly id: string;
  readonly label: string;
  /** A few letters that name it under a chart's bar. */
  readonly short: string;
  /** The pool's fields besides its backends (and besides health checks, which a workload adds). */
  readonly pool: Omit<PoolDocument, 'backends'>;
  /** What a balancer must declare to run it. */
  readonly needs: readonly Capability[];
}

/** The header every compared request carries its key in; only the hashing setups read it. */
export const keyHeader = 'x-compare-key';

const hashed = (
  hashMethod: 'ring' | 'maglev',
  hashBalanceFactor?: number,
): Omit<PoolDocument, 'backends'> => ({
  algorithm: 'consistent_hash',
  hashKey: { from: 'header', name: keyHeader },
  hashMethod,
  ...(hashBalanceFactor === undefined ? {} : { hashBalanceFactor }),
});

/** Every algorithm of the schema, and the two hash methods with and without bounded loads. */
export const algorithmSetups: readonly AlgorithmSetup[] = [
  {
    id: 'round-robin',
    short: 'rr',
    label: 'round robin',
    pool: { algorithm: 'round_robin' },
    needs: ['round-robin'],
  },
  {
    id: 'weighted',
    short: 'wrr',
    label: 'weighted round robin',
    pool: { algorithm: 'weighted_round_robin' },
    needs: ['weighted-round-robin'],
  },
  {
    id: 'least-connections',
    short: 'lc',
    label: 'least connections',
    pool: { algorithm: 'least_connections' },
    needs: ['least-connections'],
  },
  {
    id: 'p2c',
    short: 'p2c',
    label: 'power of two choices',
    pool: { algorithm: 'power_of_two_choices' },
    needs: ['power-of-two-choices'],
  },
  { id: 'random', short: 'rand', label: 'random', pool: { algorithm: 'random' }, needs: ['random'] },
  { id: 'ring', short: 'ring', label: 'ring hash', pool: hashed('ring'), needs: ['consistent-hash'] },
  {
    id: 'ring-bounded',
    short: 'ring-b',
    label: 'ring hash bounded at 125%',
    pool: hashed('ring', 125),
    needs: ['consistent-hash', 'hash-bounded-load'],
  },
  {
    id: 'maglev',
    short: 'mag',
    label: 'Maglev',
    pool: hashed('maglev'),
    needs: ['consistent-hash', 'maglev'],
  },
  {
    id: 'maglev-bounded',
    short: 'mag-b',
    label: 'Maglev bounded at 125%',
    pool: hashed('maglev', 125),
    needs: ['consistent-hash', 'maglev', 'hash-bounded-load'],
  },
];
