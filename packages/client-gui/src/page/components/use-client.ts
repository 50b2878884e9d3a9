import type { ChatClient } from '@confab/protocol';
import { useEffect, useReducer } from 'preact/hooks';

/** Re-renders the component whenever the client's model or status changes (Preact batches bursts). */
export function useClientUpdates(client: ChatClient): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => client.subscribe(() => bump(undefined)), [client]);
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
