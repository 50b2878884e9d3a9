import type { RoomStore } from '../src/index.js';
import { MemoryRooms } from '../src/index.js';
import { ClusterKeys } from '../src/cluster/cluster-keys.js';
import { RedisRooms } from '../src/store/redis-rooms.js';
import { roomsContract } from './rooms-contract.js';
import { storeBackends } from './store-backends.js';

storeBackends<RoomStore>({
  memory: () => new MemoryRooms(),
  sqlite: (store) => store.rooms,
  redis: (client, prefix) => new RedisRooms(client, new ClusterKeys(prefix)),
}).forEach(roomsContract);
