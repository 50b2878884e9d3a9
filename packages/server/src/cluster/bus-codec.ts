import { messageFrame } from '../core/history-pages.js';
import type { BusEvent, MessageDraft } from '../core/ports.js';

/*
 * How bus events travel through Redis. Most are their JSON. A room message
 * is published by the store's append script, which alone knows its seq:
 * it sends `seq TAB draft-JSON`, and the receiving node builds the frame.
 */

export function encodeEvent(event: BusEvent): string {
  return JSON.stringify(event);
}

/** The part of a room message's publication that is known before the store numbers it. */
export function encodeDraft(draft: MessageDraft): string {
  return JSON.stringify(draft);
}

/** The event in a published payload; undefined when it is not one (logged by the caller). */
export function decodeEvent(payload: string): BusEvent | undefined {
  try {
    const tab = payload.indexOf('\t');
    if (tab > 0 && payload.charCodeAt(0) !== 0x7b /* { */) {
      const seq = Number(payload.slice(0, tab));
      const draft = JSON.parse(payload.slice(tab + 1)) as MessageDraft;
      if (!Number.isSafeInteger(seq) || typeof draft.roomKey !== 'string') return undefined;
      return { kind: 'room', roomKey: draft.roomKey, frame: messageFrame({ ...draft, seq }), seq };
    }
    const event = JSON.parse(payload) as BusEvent;
    return typeof event === 'object' && event !== null && typeof event.kind === 'string'
      ? event
      : undefined;
  } catch {
    return undefined;
  }
}
