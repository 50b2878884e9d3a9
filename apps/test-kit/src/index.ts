export {
  FrameClient,
  JsonClient,
  PlainClient,
  ROOMS,
  connectSocket,
  joinRoom,
  routeConnections,
} from './clients.js';
export type { ConnectOptions } from './clients.js';
export { Inbox } from './inbox.js';
export { freePort, listening, tempDir } from './places.js';
export { startRedis } from './redis.js';
export type { TestRedis } from './redis.js';
export { Tmux } from './tmux.js';
export { WAIT_MS, pause, waitFor } from './wait.js';
