// Limits progress messages to at most `perSecond` per worker, always letting the final (1.0) through.

export function throttledProgress<T extends { fraction: number }>(
  send: (m: T) => void, perSecond = 10, now: () => number = () => performance.now(),
): (m: T) => void {
  const gap = 1000 / perSecond;
  let last = -Infinity;
  return (m) => {
    const t = now();
    if (m.fraction >= 1 || t - last >= gap) {
      last = t;
      send(m);
    }
  };
}
