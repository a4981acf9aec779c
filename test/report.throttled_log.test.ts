import { expect } from 'chai';
import { ThrottledLog } from '../src/core/report/throttled_log.js';

describe('report/throttled_log', () => {
  it('logs the first of a kind at once, then one per period saying how many were held back', () => {
    let now = 0;
    const lines: string[] = [];
    const log = new ThrottledLog((m) => lines.push(m), 10, () => now);
    log.warn('step', 'step failed: a');
    for (let i = 0; i < 5; i++) {
      now += 1;
      log.warn('step', 'step failed: b');
    }
    log.warn('input', 'bad image'); // another kind is not held back by the first
    expect(lines).to.deep.equal(['step failed: a', 'bad image']);
    now = 12;
    log.warn('step', 'step failed: c');
    expect(lines.at(-1)).to.equal('step failed: c (5 more like it in the last 12 s)');
    now = 30;
    log.warn('step', 'step failed: d');
    expect(lines.at(-1)).to.equal('step failed: d');
  });
});
