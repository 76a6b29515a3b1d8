// How long a room page waits before reconnecting. "Full jitter": a random wait between 0 and an exponentially
// growing cap (itself capped), so that ten thousand pages dropped at once by a server restart come back spread
// over the whole window instead of in waves.
export const BASE_MS = 500;
export const CAP_MS = 30000;

export function reconnectDelay(attempt, random = Math.random) {
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** Math.min(attempt, 16));
  return Math.floor(random() * ceiling);
}
