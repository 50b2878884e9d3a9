import type { ChatUser, Person } from './people.js';

/**
 * This node's people and their connections: who is here under which name,
 * each connection by session id, and each identity's connections (where a
 * direct message for it goes). Only bookkeeping: no frame is sent here.
 */
export class Connections {
  /** People of this node, by folded name. */
  private readonly persons = new Map<string, Person>();
  private readonly sessions = new Map<number, ChatUser>();
  /** This node's connections by identity. */
  private readonly owners = new Map<string, Set<ChatUser>>();

  /** People with a connection to this node. */
  get personCount(): number {
    return this.persons.size;
  }

  /** The person of this node holding a folded name. */
  person(nameKey: string): Person | undefined {
    return this.persons.get(nameKey);
  }

  /** Records a person under their folded name (a new person, or one renamed). */
  setPerson(person: Person): void {
    this.persons.set(person.key, person);
  }

  /** Forgets the person under `nameKey` if it is `person` (renamed, or gone). */
  forgetPerson(nameKey: string, person: Person): void {
    if (this.persons.get(nameKey) === person) this.persons.delete(nameKey);
  }

  /** The connection of a session, if it is registered. */
  user(sessionId: number): ChatUser | undefined {
    return this.sessions.get(sessionId);
  }

  /** Every registered connection of this node. */
  users(): IterableIterator<ChatUser> {
    return this.sessions.values();
  }

  /** This node's connections of an identity. */
  devicesOf(owner: string): ReadonlySet<ChatUser> {
    return this.owners.get(owner) ?? EMPTY;
  }

  /** Whether a connection is still registered (a session may end while a call awaits). */
  isRegistered(user: ChatUser): boolean {
    return this.sessions.get(user.recipient.sessionId) === user;
  }

  /** A connection is in: one more device of its person, who is here under their name. */
  add(user: ChatUser): void {
    user.person.devices.add(user);
    this.persons.set(user.person.key, user.person);
    this.sessions.set(user.recipient.sessionId, user);
    this.index(user.person.owner, user, true);
  }

  /** A connection is out: its person forgotten here when it was their last. */
  remove(user: ChatUser): void {
    const person = user.person;
    this.sessions.delete(user.recipient.sessionId);
    this.index(person.owner, user, false);
    person.devices.delete(user);
    if (person.devices.size === 0) this.forgetPerson(person.key, person);
  }

  /** A person's identity changed (a guest who became an account): their connections move with it. */
  reindex(person: Person, owner: string): void {
    for (const device of person.devices) {
      this.index(person.owner, device, false);
      this.index(owner, device, true);
    }
    person.owner = owner;
  }

  private index(owner: string, user: ChatUser, add: boolean): void {
    let users = this.owners.get(owner);
    if (add) {
      if (!users) this.owners.set(owner, (users = new Set()));
      users.add(user);
    } else if (users?.delete(user) && users.size === 0) this.owners.delete(owner);
  }
}

const EMPTY: ReadonlySet<ChatUser> = new Set();
