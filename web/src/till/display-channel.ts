// The till and the customer display (a second window facing the diner) talk over a BroadcastChannel: the till
// posts what its quote shows, the display shows it. Nothing but masked names and amounts travels.

export type DisplayMessage =
  | { kind: 'idle' }
  | {
      kind: 'quote';
      name: string;
      periodLabel: string;
      priceFen: number;
      subsidyFen: number;
      payableFen: number;
      subsidised: boolean;
      line: string;
    }
  | { kind: 'recorded'; name: string; payableFen: number }
  | { kind: 'hello' };

export const DISPLAY_CHANNEL = 'hc-customer-display';

export function openDisplayChannel(onMessage: (m: DisplayMessage) => void): {
  post: (m: DisplayMessage) => void;
  close: () => void;
} {
  const channel = new BroadcastChannel(DISPLAY_CHANNEL);
  channel.onmessage = (e: MessageEvent<DisplayMessage>) => onMessage(e.data);
  return { post: (m) => channel.postMessage(m), close: () => channel.close() };
}
