import type { FrameError } from '@confab/protocol';
import type { ServerBan, ServerRecord } from './ports.js';
import type { Actor } from './room-policy.js';

/*
 * The server's own rules, as pure functions: bans of accounts (they cannot
 * log in) and of addresses (they cannot connect), made and lifted by the
 * server's operators.
 */

/** Most bans the server keeps. */
export const MAX_SERVER_BANS = 10_000;

function active(ban: ServerBan, now: number): boolean {
  return ban.until === undefined || ban.until > now;
}

/** The server's bans with their lookups: a connection's check is two map reads. */
export class ServerRules {
  private readonly byAccount = new Map<string, ServerBan>();
  private readonly byAddress = new Map<string, ServerBan>();

  constructor(readonly record: ServerRecord = { version: 0, bans: [] }) {
    for (const ban of record.bans) {
      if (ban.account) this.byAccount.set(ban.account.id, ban);
      if (ban.address !== undefined) this.byAddress.set(ban.address, ban);
    }
  }

  get version(): number {
    return this.record.version;
  }

  /** The ban that keeps this account from logging in now. */
  accountBan(accountId: string, now: number): ServerBan | undefined {
    const ban = this.byAccount.get(accountId);
    return ban && active(ban, now) ? ban : undefined;
  }

  /** The ban that keeps this address (its per-address key) from connecting now. */
  addressBan(address: string, now: number): ServerBan | undefined {
    const ban = this.byAddress.get(address);
    return ban && active(ban, now) ? ban : undefined;
  }
}

/** What to ban or unban: an account (by id and name), or an address (its per-address key). */
export type ServerTarget =
  { account: { id: string; name: string }; operator: boolean } | { address: string; name?: string };

export type ServerChange =
  | { kind: 'ban'; target: ServerTarget; until?: number; reason?: string }
  | { kind: 'unban'; target: ServerTarget };

function refuse(code: FrameError['code'], message: string): { refused: FrameError } {
  return { refused: { code, message } };
}

function sameTarget(ban: ServerBan, target: ServerTarget): boolean {
  return 'account' in target
    ? ban.account?.id === target.account.id
    : ban.address === target.address;
}

/** Applies a ban or an unban, if `actor` (an operator) may: the new record, or the refusal. */
export function applyServerChange(
  record: ServerRecord,
  actor: Actor,
  change: ServerChange,
  now: number,
): { record: ServerRecord } | { refused: FrameError } {
  if (!actor.operator) return refuse('not_allowed', "only the server's operators may do that");
  const target = change.target;
  const kept = record.bans.filter((ban) => active(ban, now) && !sameTarget(ban, target));
  if (change.kind === 'unban') {
    if (kept.length === record.bans.filter((ban) => active(ban, now)).length)
      return refuse('no_such_user', `${describe(target)} is not banned from the server`);
    return { record: { version: record.version + 1, bans: kept } };
  }
  if ('account' in target && (target.operator || target.account.id === actor.identity.slice(2)))
    return refuse('not_allowed', `${target.account.name} is an operator of this server`);
  if (kept.length >= MAX_SERVER_BANS)
    return refuse('not_allowed', 'the server has as many bans as it may keep; lift some first');
  const ban: ServerBan = {
    ...('account' in target
      ? { account: target.account }
      : { address: target.address, ...(target.name === undefined ? {} : { name: target.name }) }),
    by: actor.name,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
    ts: now,
    ...(change.until === undefined ? {} : { until: change.until }),
  };
  return { record: { version: record.version + 1, bans: [...kept, ban] } };
}

function describe(target: ServerTarget): string {
  return 'account' in target ? target.account.name : (target.name ?? target.address);
}
