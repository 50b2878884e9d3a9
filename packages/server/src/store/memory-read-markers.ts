import type { ReadMarkerStore } from '../core/ports.js';
import { MAX_READ_MARKERS } from '../core/ports.js';
import { useEntry } from '../recently-used.js';

/** Identities whose markers are remembered; past it, the one used longest ago is forgotten. */
const MAX_OWNERS = 100_000;

/** Read markers in memory (`--store memory`): gone on restart, as the history is. */
export class MemoryReadMarkers implements ReadMarkerStore {
  private readonly owners = new Map<string, Map<string, number>>();

  markers(owner: string): Promise<Map<string, number>> {
    return Promise.resolve(new Map(this.owners.get(owner) ?? []));
  }

  advance(owner: string, place: string, number: number): Promise<boolean> {
    const markers = useEntry(this.owners, owner, MAX_OWNERS, () => new Map<string, number>());
    const now = markers.get(place);
    if (now === undefined && markers.size >= MAX_READ_MARKERS) return Promise.resolve(false);
    if (now !== undefined && now >= number) return Promise.resolve(false);
    markers.set(place, number);
    return Promise.resolve(true);
  }
}
