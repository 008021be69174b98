import { createHmac } from 'node:crypto';
import type { StickySessionConfig } from '../config/types.ts';

/**
 * The cookie value that pins a client to a backend: 128 bits of HMAC-SHA256 over the pool's name
 * and the backend's id. Without the secret nobody can tell which backend a value names or make one
 * that names a backend; with it, any balancer computes the same value, across restarts and instances.
 */
export function affinityToken(
  secret: string,
  pool: string,
  backend: { readonly id: string; readonly address: string },
): string {
  return createHmac('sha256', secret).update(`${pool}\0${backend.id}`).digest('base64url').slice(0, 22);
}

/** The Set-Cookie header value that pins a client with `token`. */
export function affinityCookie(config: StickySessionConfig, token: string): string {
  return [
    `${config.cookie}=${token}`,
    `Path=${config.path}`,
    ...(config.maxAgeSeconds === undefined ? [] : [`Max-Age=${config.maxAgeSeconds}`]),
    ...(config.httpOnly ? ['HttpOnly'] : []),
    `SameSite=${config.sameSite}`,
    ...(config.sameSite === 'None' ? ['Secure'] : []),
  ].join('; ');
}
