import type { AccountStore } from '../src/index.js';
import { MemoryAccounts } from '../src/index.js';
import { RedisAccounts } from '../src/store/redis-accounts.js';
import { accountsContract } from './accounts-contract.js';
import { storeBackends } from './store-backends.js';

storeBackends<AccountStore>({
  memory: () => new MemoryAccounts(),
  sqlite: (store) => store.accounts,
  redis: (client, prefix) => new RedisAccounts(client, prefix),
}).forEach(accountsContract);
