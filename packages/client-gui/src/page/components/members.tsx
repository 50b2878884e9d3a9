import type { ChatClient, RoomConversation, RoomRole } from '@confab/protocol';
import { escapeControls, foldName } from '@confab/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Name } from './messages.js';

/** How the member list marks roles, as IRC users expect: `@` owner and moderators, `+` voice. */
const ROLE_MARKS: Record<RoomRole, string> = { owner: '@', moderator: '@', voice: '+', member: '' };
const ROLE_WORDS: Record<RoomRole, string> = {
  owner: 'owner',
  moderator: 'moderator',
  voice: 'has voice',
  member: '',
};
/** The list's order, and who may act on whom: a higher rank acts on a lower one only. */
const RANK: Record<RoomRole, number> = { owner: 3, moderator: 2, voice: 1, member: 0 };

/** One thing a moderator may do to a member: its label, and the line that does it. */
interface MemberAction {
  label: string;
  line: string;
  /** Asks first: it cannot be undone by the one who does it. */
  confirm?: string;
}

/**
 * What the user may do to `name` in `room`, by the rules the server applies
 * (it checks again): owner and moderators remove, ban, mute and give voice
 * to those below them; the owner makes moderators and hands the room on.
 */
export function actionsOn(
  room: RoomConversation,
  me: RoomRole,
  name: string,
  role: RoomRole,
): MemberAction[] {
  const at = `${room.title} ${name}`;
  if (RANK[me] < RANK.moderator || RANK[role] >= RANK[me]) return [];
  const actions: MemberAction[] = [
    { label: 'Remove from the room', line: `/kick ${at}` },
    { label: 'Ban for an hour', line: `/ban ${at} 1h` },
    { label: 'Ban for a day', line: `/ban ${at} 1d` },
    {
      label: 'Ban until lifted',
      line: `/ban ${at}`,
      confirm: `Ban ${shown(name)} from ${room.title} until the ban is lifted?`,
    },
    { label: 'Mute for 10 minutes', line: `/mute ${at} 10m` },
    { label: 'Let speak again', line: `/unmute ${at}` },
    role === 'voice'
      ? { label: 'Take voice away', line: `/devoice ${at}` }
      : { label: 'Give voice', line: `/voice ${at}` },
  ];
  if (me === 'owner') {
    actions.push(
      role === 'moderator'
        ? { label: 'Remove as moderator', line: `/deop ${at}` }
        : { label: 'Make moderator', line: `/op ${at}` },
      {
        label: 'Hand the room on',
        line: `/owner ${at}`,
        confirm: `Hand ${room.title} on to ${shown(name)}? You will stay a moderator.`,
      },
    );
  }
  return actions;
}

/** A name as it may be shown in a label: its controls escaped. */
function shown(name: string): string {
  return escapeControls(name, { singleLine: true });
}

/** A member's name: a button that opens a menu of what the user may do to them. */
function Member({
  client,
  room,
  name,
  role,
  me,
}: {
  client: ChatClient;
  room: RoomConversation;
  name: string;
  role: RoomRole;
  me: RoomRole;
}) {
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLUListElement>(null);
  const self = client.isSelf(name);
  const actions = self ? [] : actionsOn(room, me, name, role);
  useEffect(() => {
    if (open) menu.current?.querySelector('button')?.focus();
  }, [open]);
  const run = (line: string) => {
    setOpen(false);
    client.submit(line);
  };
  const title = ROLE_WORDS[role] ? `${shown(name)}, ${ROLE_WORDS[role]}` : shown(name);
  return (
    <li class="member-item">
      <button
        type="button"
        class="member"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={title}
        title={title}
        onClick={() => setOpen(!open)}
      >
        <span class="role" aria-hidden="true">
          {ROLE_MARKS[role]}
        </span>
        <Name name={name} self={self} />
      </button>
      {open && (
        <ul
          ref={menu}
          class="member-menu"
          role="menu"
          aria-label={`${shown(name)} in ${room.title}`}
          onKeyDown={(event) => {
            if (event.key !== 'Escape') return;
            // The menu's own: the screen's Esc must not close the side panel too.
            event.preventDefault();
            setOpen(false);
          }}
        >
          {!self && (
            <li role="none">
              <button
                type="button"
                role="menuitem"
                onClick={() => {
                  setOpen(false);
                  client.show({ kind: 'dm', peer: name });
                }}
              >
                Write to <Name name={name} />
              </button>
            </li>
          )}
          {actions.map((action) => (
            <li role="none" key={action.label}>
              <button
                type="button"
                role="menuitem"
                onClick={() => {
                  if (action.confirm === undefined || window.confirm(action.confirm))
                    run(action.line);
                  else setOpen(false);
                }}
              >
                {action.label}
              </button>
            </li>
          ))}
          {self && actions.length === 0 && <li class="menu-note">This is you.</li>}
        </ul>
      )}
    </li>
  );
}

/** The members of the current room: the owner and moderators first (`@`), voice (`+`), then the rest. */
export function MemberList({ client, room }: { client: ChatClient; room: RoomConversation }) {
  const roleOf = (name: string): RoomRole => room.roles.get(foldName(name)) ?? 'member';
  const me = roleOf(client.model.name);
  const members = [...room.members].sort((a, b) => RANK[roleOf(b)] - RANK[roleOf(a)]);
  return (
    <aside class="members" aria-label={`Members of ${room.title}`}>
      <h2>{members.length} here</h2>
      <ul>
        {members.map((name) => (
          <Member key={name} client={client} room={room} name={name} role={roleOf(name)} me={me} />
        ))}
      </ul>
    </aside>
  );
}
