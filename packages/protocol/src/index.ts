/**
 * @confab/protocol: the Confab wire protocol (version 1) and the client core
 * both Confab clients share. Runs in Node and in browsers: no Node built-ins.
 */
export * from './limits.js';
export * from './errors.js';
export type * from './frames.js';
export {
  FEATURES,
  LOGGED_OUT_REASON,
  SERVER_BANNED_REASON,
  SERVER_SHUTDOWN_REASON,
  SESSION_REPLACED_REASON,
  SESSION_REVOKED_REASON,
} from './frames.js';
export * from './names.js';
export * from './text.js';
export * from './reactions.js';
export * from './search.js';
export * from './wrap.js';
export * from './validate.js';
export * from './codec.js';
export * from './handshake.js';
export * from './commands.js';
export * from './client/transport.js';
export * from './client/backoff.js';
export * from './client/emitter.js';
export * from './client/model.js';
export * from './client/days.js';
export * from './page-headers.js';
export * from './client/chat-client.js';
export * from './client/room-texts.js';
export * from './client/typing.js';
export * from './client/searches.js';
export * from './client/search-texts.js';
