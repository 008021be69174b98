// undici's connection pool on its own: the package's index also loads fetch, WebSocket and cookie
// support (and with them node's built-in copy of undici), three times the start-up cost of the pool.
declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';

  const pool: typeof Pool;
  export default pool;
}
