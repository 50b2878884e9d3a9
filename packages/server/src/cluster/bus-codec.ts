import { directFrame, messageFrame } from '../core/history-pages.js';
import type {
  BusEvent,
  DeleteChange,
  DirectDraft,
  EditChange,
  MessageDraft,
  Origin,
  ReactionChange,
} from '../core/ports.js';
import { changeEvent, deletedFrame, editedFrame, reactionFrame } from '../core/change-frames.js';

/*
 * How bus events travel through Redis. Most are their JSON. A room message
 * is published by the store's append script, which alone knows its seq:
 * it sends `seq TAB draft-JSON`, and the receiving node builds the frame.
 * A kept direct message goes the same way: `dseq TAB {owner, draft, ack?}`.
 * A change to a message is published by the script that numbers it: a
 * reaction as `R rev TAB count TAB change-JSON`, an edit as
 * `E rev TAB change-JSON`, a delete as `D rev TAB change-JSON`.
 */

/** The part of a kept direct message's publication known before its mailbox numbers it. */
interface DirectPublication {
  owner: string;
  draft: DirectDraft;
  ack?: Origin;
}

export function encodeEvent(event: BusEvent): string {
  return JSON.stringify(event);
}

/** The part of a room message's publication that is known before the store numbers it. */
export function encodeDraft(draft: MessageDraft): string {
  return JSON.stringify(draft);
}

/** The part of a kept direct message's publication that is known before its mailbox numbers it. */
export function encodeDirect(owner: string, draft: DirectDraft, ack?: Origin): string {
  const publication: DirectPublication =
    ack === undefined ? { owner, draft } : { owner, draft, ack };
  return JSON.stringify(publication);
}

/** The part of a change's publication that is known before the store numbers it. */
export function encodeChange(change: ReactionChange | EditChange | DeleteChange): string {
  return JSON.stringify(change);
}

/** An edit's or a delete's event from `E rev TAB change-JSON` or `D rev TAB change-JSON`. */
function decodeMessageChange(payload: string): BusEvent | undefined {
  const tab = payload.indexOf('\t');
  const rev = Number(payload.slice(1, tab));
  if (tab < 0 || !Number.isSafeInteger(rev)) return undefined;
  const change = JSON.parse(payload.slice(tab + 1)) as EditChange & DeleteChange;
  if (typeof change.roomKey !== 'string') return undefined;
  const frame = payload[0] === 'E' ? editedFrame(change, rev) : deletedFrame(change, rev);
  return changeEvent(change.roomKey, frame, rev);
}

/** A reaction's event from `R rev TAB count TAB change-JSON`. */
function decodeReaction(payload: string): BusEvent | undefined {
  const first = payload.indexOf('\t');
  const second = payload.indexOf('\t', first + 1);
  const rev = Number(payload.slice(1, first));
  const count = Number(payload.slice(first + 1, second));
  if (first < 0 || second < 0 || !Number.isSafeInteger(rev) || !Number.isSafeInteger(count))
    return undefined;
  const change = JSON.parse(payload.slice(second + 1)) as ReactionChange;
  if (typeof change.roomKey !== 'string') return undefined;
  return changeEvent(change.roomKey, reactionFrame(change, { changed: true, rev, count }), rev);
}

/** The event in a published payload; undefined when it is not one (logged by the caller). */
export function decodeEvent(payload: string): BusEvent | undefined {
  try {
    const first = payload[0];
    if (first === 'R') return decodeReaction(payload);
    if (first === 'E' || first === 'D') return decodeMessageChange(payload);
    const tab = payload.indexOf('\t');
    if (tab > 0 && payload.charCodeAt(0) !== 0x7b /* { */) {
      const number = Number(payload.slice(0, tab));
      if (!Number.isSafeInteger(number)) return undefined;
      const published = JSON.parse(payload.slice(tab + 1)) as MessageDraft | DirectPublication;
      if ('draft' in published && typeof published.owner === 'string') {
        const { owner, draft, ack } = published;
        const frame = directFrame({ ...draft, owner, dseq: number });
        return ack === undefined
          ? { kind: 'direct', owner, frame }
          : { kind: 'direct', owner, frame, ack };
      }
      const draft = published as MessageDraft;
      if (typeof draft.roomKey !== 'string') return undefined;
      return {
        kind: 'room',
        roomKey: draft.roomKey,
        frame: messageFrame({ ...draft, seq: number }),
        seq: number,
      };
    }
    const event = JSON.parse(payload) as BusEvent;
    return typeof event === 'object' && event !== null && typeof event.kind === 'string'
      ? event
      : undefined;
  } catch {
    return undefined;
  }
}
