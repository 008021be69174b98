import type { Algorithm } from '../config/types.ts';
import { buildConsistentHash, defaultPointsPerWeight } from './consistent-hash.ts';
import { buildLeastConnections } from './least-connections.ts';
import { buildMaglev, maglevTableSize } from './maglev.ts';
import { buildPowerOfTwoChoices } from './power-of-two-choices.ts';
import { buildRandom } from './random.ts';
import { buildRoundRobin } from './round-robin.ts';
import type { SelectorBuilder } from './selector.ts';
import { buildWeightedRoundRobin } from './weighted-round-robin.ts';

/** The builder for each algorithm a config may name. */
export const selectorBuilders: Readonly<Record<Algorithm, SelectorBuilder>> = {
  round_robin: buildRoundRobin,
  weighted_round_robin: buildWeightedRoundRobin,
  least_connections: buildLeastConnections,
  power_of_two_choices: buildPowerOfTwoChoices,
  random: buildRandom,
  consistent_hash: (backends, _random, settings) =>
    settings?.hashMethod === 'maglev'
      ? buildMaglev(backends, maglevTableSize, settings.hashBalanceFactor)
      : buildConsistentHash(backends, defaultPointsPerWeight, '', settings?.hashBalanceFactor),
};
