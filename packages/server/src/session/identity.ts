import { createHash } from 'node:crypto';
import type { HelloFrame } from '@confab/protocol';
import type { Identity } from '../core/chat-core.js';

/**
 * The identity a `hello` comes with. A guest key's mailbox is named by the
 * key's SHA-256 (`g:` and 64 hex digits): the key itself is never kept, so
 * whoever reads the store cannot come back as the guest.
 */
export function identityOf(hello: HelloFrame): Identity {
  if (hello.guest === undefined) return {};
  const owner = `g:${createHash('sha256').update(hello.guest).digest('hex')}`;
  return hello.dseq === undefined ? { owner } : { owner, dseq: hello.dseq };
}
