/** Milliseconds on a monotonic clock; state machines take one so tests can drive time by hand. */
export type Clock = () => number;

/** performance.now(): monotonic, unaffected by wall-clock changes. */
export const monotonicClock: Clock = () => performance.now();
