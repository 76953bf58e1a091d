import { describe, expect, it } from 'vitest';
import { throttledProgress } from './progress-throttle';

describe('throttledProgress', () => {
  it('sends at most 10 messages per second but always the final one', () => {
    let t = 0;
    const sent: number[] = [];
    const p = throttledProgress<{ fraction: number }>((m) => sent.push(m.fraction), 10, () => t);
    for (let i = 0; i <= 1000; i++) { t = i; p({ fraction: i / 1000 }); } // one second, 1001 updates
    expect(sent.length).toBeLessThanOrEqual(11 + 1);
    expect(sent.length).toBeGreaterThanOrEqual(10);
    expect(sent[sent.length - 1]).toBe(1);
  });
});
