import { expect } from 'chai';
import { traceFromMessage, TraceOverrideError } from '../src/core/model/trace_override.js';
import type { VisualTrace } from '../src/core/messages/types.js';

const header = { stamp: { sec: 0, nanosec: 0 }, frame_id: 'camera_color_optical_frame' };
const trace = (u: number[], v: number[], width = 256, height = 256): VisualTrace => ({ header, width, height, u, v });

describe('trace override', () => {
  it('resamples a drawn polyline to the model length at equal arc length, in [0, 256)', () => {
    const t = traceFromMessage(trace([0, 255], [0, 0]), 5);
    expect(t.x).to.deep.equal([0, 64, 128, 191, 255]);
    expect(t.y).to.deep.equal([0, 0, 0, 0, 0]);
  });

  it('follows the corners of a bent path', () => {
    const t = traceFromMessage(trace([0, 100, 100, 100], [0, 0, 50, 100]), 3);
    expect(t.x).to.deep.equal([0, 100, 100]);
    expect(t.y).to.deep.equal([0, 0, 100]);
  });

  it("takes a trace of exactly the model's number of points point for point (MolmoAct's points are timed, not evenly spaced)", () => {
    const t = traceFromMessage(trace([0, 10, 20, 200, 255], [0, 0, 0, 0, 0]), 5);
    expect(t.x).to.deep.equal([0, 10, 20, 200, 255]);
  });

  it('scales pixels of a 640x480 image to MolmoAct coordinates', () => {
    const t = traceFromMessage(trace([0, 639], [479, 0], 640, 480), 2);
    expect(t).to.deep.equal({ x: [0, 255], y: [255, 0] });
  });

  it('refuses points outside the image, mismatched lengths, one point and non-finite values', () => {
    expect(() => traceFromMessage(trace([0, 700], [0, 0], 640, 480), 5)).to.throw(TraceOverrideError, /outside/);
    expect(() => traceFromMessage(trace([0, 1], [0]), 5)).to.throw(TraceOverrideError, /2 u values and 1 v/);
    expect(() => traceFromMessage(trace([3], [3]), 5)).to.throw(TraceOverrideError, /at least 2/);
    expect(() => traceFromMessage(trace([0, NaN], [0, 0]), 5)).to.throw(TraceOverrideError);
    expect(() => traceFromMessage(trace([0, 1], [0, 1], 0, 0), 5)).to.throw(TraceOverrideError, /size/);
  });
});
