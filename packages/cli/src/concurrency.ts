/** How many etcd requests fleetctl keeps in flight when it works on many units. */
export const MAX_IN_FLIGHT = 64;

/**
 * Maps `items` through `fn` with at most `limit` calls pending, keeping input order in the result.
 * The first failure rejects the whole map (calls already started still finish, unobserved).
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
  limit: number = MAX_IN_FLIGHT,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.min(limit, items.length) }, () => worker());
  await Promise.all(workers);
  return results;
}
