import type { ChatClient } from '@confab/protocol';
import { useEffect, useLayoutEffect, useReducer } from 'preact/hooks';

/**
 * Re-renders the component whenever the client's model or status changes
 * (Preact batches bursts). It subscribes as soon as the component is in the
 * page (a layout effect, not an effect after paint) and renders once more
 * then: frames that arrived between the first render and the subscription
 * are not missed.
 */
export function useClientUpdates(client: ChatClient): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useLayoutEffect(() => {
    const stop = client.subscribe(() => bump(undefined));
    bump(undefined);
    return stop;
  }, [client]);
}

/** Re-renders every `ms` while `active` (a countdown). */
export function useTicker(active: boolean, ms: number): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => bump(undefined), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
}
