/**
 * @confab/server: the Confab chat server. `createServer(options)` makes one;
 * `listen()` starts it, `close()` shuts it down in order.
 */
export { ConfabServer, createServer } from './server.js';
export type { ServerAddress, ServerOptions } from './server.js';
export { SETTINGS, defaultConfig } from './config.js';
export type { ServerConfig } from './config.js';
export { SERVER_ERROR_CODES, ServerError } from './errors.js';
export type { ServerErrorCode } from './errors.js';
export { SERVER_VERSION } from './version.js';
export type {
  Account,
  AccountStore,
  SessionRecord,
  Bus,
  BusEvent,
  Clock,
  DirectDraft,
  DirectPoster,
  Directory,
  HistoryStore,
  IdSource,
  MailboxLimits,
  MemberEntry,
  MessageDraft,
  MessagePoster,
  ModlogRecord,
  NameHolder,
  Origin,
  PageQuery,
  ChangedMessage,
  ReactionChange,
  ReactionOutcome,
  ChangePoster,
  ChangeStore,
  RoomCount,
  RoomStore,
  FoundMessage,
  SearchIndex,
  SearchPage,
  SearchQuery,
  ReadMarkerStore,
  ServerBan,
  ServerRecord,
  StoredDirect,
  StoredMessage,
} from './core/ports.js';
export type {
  Actor,
  RoleGrant,
  RoomBan,
  RoomChange,
  RoomInvite,
  RoomMute,
  RoomRecord,
} from './core/room-policy.js';
export {
  RoomRules,
  applyChange,
  checkJoin,
  checkSay,
  emptyRecord,
  ownedRecord,
} from './core/room-policy.js';
export { ServerRules, applyServerChange } from './core/server-policy.js';
export { MemoryStore } from './store/memory-store.js';
export { MemoryRooms } from './store/memory-rooms.js';
export { MemoryChanges } from './store/memory-changes.js';
export { MemoryAccounts } from './store/memory-accounts.js';
export { DEFAULT_PASSWORD_COST, hashPassword, verifyPassword } from './accounts/passwords.js';
export type { PasswordCost } from './accounts/passwords.js';
export {
  DEFAULT_MAILBOX_LIMITS,
  MAX_READ_MARKERS,
  MAX_SESSIONS_PER_ACCOUNT,
  MODLOG_KEEP,
  SESSION_TTL_MS,
} from './core/ports.js';
export { SqliteStore } from './store/sqlite-store.js';
export { CONFUSABLES_VERSION, lookalikeKey } from './names/lookalikes.js';
export { LocalBus } from './bus/local-bus.js';
export { MemoryDirectory } from './directory/memory-directory.js';
