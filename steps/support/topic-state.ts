/**
 * State only the steps of one topic use (a sticky client's cookie, a flood of keys), declared beside
 * those steps rather than on the world:
 *   const sticky = topicState(() => ({ client: undefined as StickyClient | undefined }));
 *   sticky(this).client = ...;
 * Each scenario has a world of its own, so each starts with a fresh value.
 */
export function topicState<T>(initial: () => T): (world: object) => T {
  const values = new WeakMap<object, T>();
  return (world) => {
    let value = values.get(world);
    if (value === undefined) {
      value = initial();
      values.set(world, value);
    }
    return value;
  };
}
