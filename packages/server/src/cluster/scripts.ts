import type { Redis } from 'ioredis';

/** A Lua script and how many of its arguments are keys. */
export interface Script {
  /** Undefined: the caller passes how many, first (a script of any number of keys). */
  keys: number | undefined;
  lua: string;
}

/**
 * Defines scripts as commands of a client, once however many modules share
 * the client: ioredis then runs them with EVALSHA, and loads a script again
 * when Redis has lost it (after a restart).
 */
export function defineScripts<T extends Redis>(client: Redis, scripts: Record<string, Script>): T {
  const commands = client as unknown as Record<string, unknown>;
  for (const [name, { keys, lua }] of Object.entries(scripts))
    if (typeof commands[name] !== 'function')
      client.defineCommand(name, keys === undefined ? { lua } : { numberOfKeys: keys, lua });
  return client as T;
}
