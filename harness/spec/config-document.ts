/**
 * The neutral config document (schema/config.v1.schema.json) as the harness writes it for
 * the balancer under test: its shapes and defaults are the reference's (one source for both).
 */
import type { ConfigDocument, ListenerDocument, PoolDocument } from '../../reference/src/config/types.ts';

export {
  healthCheckDefaults,
  listenerTlsDefaults,
  stickySessionDefaults,
  timeoutDefaults,
} from '../../reference/src/config/defaults.ts';
export type {
  Algorithm,
  ConfigDocument,
  HeaderRulesDocument,
  ListenerDocument,
  ListenerProtocol,
  PoolDocument,
  RateLimitDocument,
  RouteDocument,
} from '../../reference/src/config/types.ts';

/** The settings of a pool besides its members, as a scenario states them. */
export type PoolSettings = Omit<PoolDocument, 'algorithm' | 'backends'>;

/** Serialises a config the way it is written to disk; the balancer's configHash is over these bytes. */
export function serialiseConfig(config: ConfigDocument): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** A listener that balances over one pool, without routes. */
export type PlainListener = ListenerDocument & { readonly pool: string };

/** The config's listeners, for a translation that expresses no routes: throws naming `product` otherwise. */
export function plainListeners(config: ConfigDocument, product: string): PlainListener[] {
  return config.listeners.map((listener) => {
    if (listener.routes !== undefined || listener.pool === undefined) {
      throw new Error(
        `${product} adapter: listener "${listener.name}" has routes, which it does not translate`,
      );
    }
    return listener as PlainListener;
  });
}
