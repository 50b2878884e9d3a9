import type { ReactionStore } from '../src/index.js';
import { MemoryReactions } from '../src/index.js';
import { RedisReactions } from '../src/store/redis-reactions.js';
import { reactionsContract } from './reactions-contract.js';
import { storeBackends } from './store-backends.js';

storeBackends<ReactionStore>({
  memory: () => new MemoryReactions(),
  sqlite: (store) => store.reactions,
  redis: (client, prefix) => new RedisReactions({ client, prefix }),
}).forEach(reactionsContract);
