import type { ReadMarkerStore } from '../src/index.js';
import { MemoryReadMarkers } from '../src/store/memory-read-markers.js';
import { RedisReadMarkers } from '../src/store/redis-read-markers.js';
import { readMarkersContract } from './read-markers-contract.js';
import { storeBackends } from './store-backends.js';

storeBackends<ReadMarkerStore>({
  memory: () => new MemoryReadMarkers(),
  sqlite: (store) => store.readMarkers,
  redis: (client, prefix) => new RedisReadMarkers(client, prefix, 60_000),
}).forEach(readMarkersContract);
