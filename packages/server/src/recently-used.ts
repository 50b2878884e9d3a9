/**
 * The entry of `key` in `map`, made with `make` when missing, and moved to
 * the end as the one used last; past `max` entries, the one used longest ago
 * is dropped. A Map keeps the order keys were set in, so that one is first.
 */
export function useEntry<K, V>(map: Map<K, V>, key: K, max: number, make: () => V): V {
  let entry = map.get(key);
  if (entry !== undefined) map.delete(key);
  else {
    if (map.size >= max) map.delete(map.keys().next().value!);
    entry = make();
  }
  map.set(key, entry);
  return entry;
}
