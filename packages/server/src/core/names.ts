import type { ErrorCode, FrameError } from '@confab/protocol';
import { foldName } from '@confab/protocol';
import { lookalikeKey } from '../names/lookalikes.js';
import {
  looksLikeAnAccount,
  looksLikeSomeoneHere,
  newNameProblem,
} from '../names/name-refusals.js';
import type { Connections } from './connections.js';
import { accountOwner } from './owners.js';
import type { ChatUser, Person } from './people.js';
import type { Account, AccountStore, Bus, Directory, NameHolder } from './ports.js';

function refusal(code: ErrorCode, message: string): FrameError {
  return { code, message };
}

/** The refusal of a name someone else holds; `account`: it is an account's, to be logged in to. */
export function taken(name: string, account: boolean): FrameError {
  return account
    ? {
        code: 'name_taken',
        message: `the name ${name} belongs to an account: log in with its password, or choose another name`,
        account: true,
      }
    : refusal('name_taken', `the name ${name} is taken`);
}

/**
 * Names: who may go by which name. A guest's name must be free, belong to
 * no account, look like no account's or present person's, and not mix
 * scripts; an account's name is its own. Claims go through the directory,
 * which makes them atomic across the nodes of a cluster.
 */
export class Names {
  constructor(
    private readonly node: string,
    private readonly directory: Directory,
    private readonly bus: Bus,
    private readonly connections: Connections,
    private readonly accounts: AccountStore | undefined,
    /** Folded names of the accounts that are the server's operators. */
    private readonly operators: ReadonlySet<string>,
  ) {}

  /** Whether an account of this (folded) name is one of the server's operators. */
  isOperator(nameKey: string): boolean {
    return this.operators.has(nameKey);
  }

  /** The person a new connection belongs to: the one holding the name with the same identity, or a new one. */
  async personFor(
    key: string,
    name: string,
    owner: string,
    account: Account | undefined,
    address: string | undefined,
  ): Promise<Person | FrameError> {
    const existing = this.connections.person(key);
    if (existing)
      return existing.owner === owner ? existing : taken(name, existing.accountId !== undefined);
    // An account's name is its own; a guest's must be free, and look like no one else's.
    const lookalike = account ? undefined : lookalikeKey(name);
    if (lookalike !== undefined) {
      const refused = await this.refuseNewName(key, name, lookalike);
      if (refused) return refused;
    }
    const claimed = await this.claim(key, name, owner, lookalike, address);
    if (claimed) return claimed;
    // Another connection of the same person may have come while the claim was made.
    const person = this.connections.person(key) ?? {
      key,
      name,
      owner,
      accountId: account?.id,
      operator: account !== undefined && this.isOperator(account.nameKey),
      devices: new Set<ChatUser>(),
    };
    this.connections.setPerson(person);
    return person;
  }

  /** Whether someone here holds a name that looks like `name` (and is not it). */
  async looksLikeSomeoneHere(name: string): Promise<boolean> {
    const holder = await this.directory.lookalikeHolder(lookalikeKey(name));
    return holder !== undefined && holder !== foldName(name);
  }

  /** Who holds a name: a person of this node, whoever the directory knows, or the account it is (away). */
  async holder(nameKey: string): Promise<NameHolder | undefined> {
    const local = this.connections.person(nameKey);
    if (local) {
      const address = addressOf(local);
      return {
        name: local.name,
        node: this.node,
        owner: local.owner,
        ...(address === undefined ? {} : { address }),
      };
    }
    const online = await this.directory.holder(nameKey);
    if (online) return online;
    const account = await this.accounts?.byName(nameKey);
    return account && { name: account.name, node: '', owner: accountOwner(account.id) };
  }

  /**
   * Changes a guest's name; `nick` goes to the user and everyone sharing a
   * room. An account's name is its own: logged in, one cannot change it.
   */
  async nick(user: ChatUser, name: string): Promise<FrameError | undefined> {
    const person = user.person;
    if (person.accountId !== undefined)
      return refusal(
        'name_taken',
        `you are logged in as ${person.name}: an account keeps its name`,
      );
    const newKey = foldName(name);
    const old = person.name;
    const oldKey = person.key;
    if (name === old) return undefined;
    if (newKey !== oldKey) {
      const local = this.connections.person(newKey);
      if (local) return taken(name, local.accountId !== undefined);
    }
    const lookalike = lookalikeKey(name);
    const refused =
      (await this.refuseNewName(newKey, name, lookalike)) ??
      (await this.claim(newKey, name, person.owner, lookalike, addressOf(person)));
    if (refused) return refused;
    if (
      newKey !== oldKey &&
      (!this.connections.isRegistered(user) || this.connections.person(newKey))
    ) {
      await this.directory.release(newKey);
      return this.connections.isRegistered(user) ? taken(name, false) : undefined;
    }
    this.connections.forgetPerson(oldKey, person);
    person.key = newKey;
    person.name = name;
    for (const device of person.devices) {
      device.key = newKey;
      device.name = name;
    }
    this.connections.setPerson(person);
    const roomKeys = [...user.rooms.keys()];
    // The directory first: whoever hears of the nick and asks `who`, or
    // takes the old name, finds the change made.
    if (newKey !== oldKey) await this.directory.release(oldKey);
    for (const membership of user.rooms.values()) {
      const room = membership.room;
      await this.directory.removeMember(room.key, oldKey);
      await this.directory.addMember({ roomKey: room.key, room: room.name, nameKey: newKey, name });
    }
    this.bus.publish({ kind: 'nick', oldKey, old, name, roomKeys });
    // A device of someone they wrote to that comes later follows them here (see DirectMessages).
    if (newKey !== oldKey) await this.directory.noteRename(oldKey, { name, owner: person.owner });
    return undefined;
  }

  /** The name of a guest who became an account is held by the account's identity from now on. */
  async holdForAccount(person: Person, owner: string): Promise<void> {
    await this.directory.release(person.key);
    await this.directory.claim(person.key, person.name, owner);
  }

  /** A person's name here is let go: the last of their connections on this node left. */
  async release(person: Person): Promise<void> {
    await this.directory.release(person.key);
  }

  /**
   * Claims a name in the directory; undefined when it is held now, else
   * the refusal (someone else holds it, or one that looks like it).
   */
  private async claim(
    key: string,
    name: string,
    owner: string,
    lookalike: string | undefined,
    address: string | undefined,
  ): Promise<FrameError | undefined> {
    const claimed = await this.directory.claim(key, name, owner, lookalike, address);
    if (claimed === 'claimed') return undefined;
    if (claimed === 'lookalike') return looksLikeSomeoneHere(name);
    const holder = await this.directory.holder(key);
    return taken(name, holder?.owner.startsWith('a:') === true);
  }

  /**
   * Why a guest may not take `name` (folded `key`, look-alike key
   * `lookalike`): it mixes scripts, it is an account's, or it looks like
   * one. Whether it looks like the name of someone here is the directory's
   * to say, in the step that claims it.
   */
  private async refuseNewName(
    key: string,
    name: string,
    lookalike: string,
  ): Promise<FrameError | undefined> {
    const problem = newNameProblem(name);
    if (problem) return problem;
    if (!this.accounts) return undefined;
    if (await this.accounts.byName(key)) return taken(name, true);
    const alike = await this.accounts.byLookalike(lookalike);
    return alike && alike.nameKey !== key ? looksLikeAnAccount(name) : undefined;
  }
}

/** Where a person connects from: a guest's one connection's address. */
function addressOf(person: Person): string | undefined {
  for (const device of person.devices) if (device.address !== undefined) return device.address;
  return undefined;
}
