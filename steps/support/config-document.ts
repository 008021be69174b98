/**
 * The neutral config document (reference/schema/config.v1.schema.json) as the harness writes it for
 * the balancer under test.
 */
export interface ConfigDocument {
  readonly version: 1;
  readonly admin?: { readonly address: string };
  readonly listeners: readonly ListenerDocument[];
  readonly pools: Readonly<Record<string, PoolDocument>>;
}

export interface ListenerDocument {
  readonly name: string;
  readonly protocol: 'http' | 'tcp';
  readonly address: string;
  readonly pool: string;
}

export interface PoolDocument {
  readonly algorithm?: string;
  readonly backends: readonly { readonly id: string; readonly address: string; readonly weight?: number }[];
}

/** Serialises a config the way it is written to disk; the balancer's configHash is over these bytes. */
export function serialiseConfig(config: ConfigDocument): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}
