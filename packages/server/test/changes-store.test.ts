import { MemoryStore } from '../src/index.js';
import { RedisChanges } from '../src/store/redis-changes.js';
import { RedisStore } from '../src/store/redis-store.js';
import type { StoreWithChanges } from './changes-contract.js';
import { changesContract } from './changes-contract.js';
import { storeBackends } from './store-backends.js';

storeBackends<StoreWithChanges>({
  memory: () => {
    const history = new MemoryStore();
    return { history, changes: history.changes };
  },
  sqlite: (store) => ({ history: store, changes: store.changes }),
  redis: (client, prefix) => ({
    history: new RedisStore({ client, prefix }),
    changes: new RedisChanges({ client, prefix }),
  }),
}).forEach(changesContract);
