import { expect } from 'chai';
import { ClickedWaypoints } from '../src/core/model/clicked_trace.js';
import { PinholeCamera } from '../src/core/messages/camera_model.js';
import { TraceOverrideError } from '../src/core/model/trace_override.js';

describe('reasoning/clicked_trace', () => {
  const camera = new PinholeCamera(500, 500, 320, 240, 640, 480);
  const header = { stamp: { sec: 1, nanosec: 0 }, frame_id: 'camera_color_optical_frame' };

  it('runs from the planned start through every clicked waypoint, in image pixels', () => {
    const clicks = new ClickedWaypoints();
    const first = clicks.add({ x: 0.2, y: -0.1, z: 1 }, camera, { u: 300, v: 400 }, header);
    expect(first.width).to.equal(640);
    expect(first.height).to.equal(480);
    expect(first.u).to.deep.equal([300, 420]);
    expect(first.v).to.deep.equal([400, 190]);
    // The start stays where it was at the first click, even if the plan moves on.
    const second = clicks.add({ x: -0.4, y: 0, z: 2 }, camera, { u: 10, v: 10 }, header);
    expect(second.u).to.deep.equal([300, 420, 220]);
    expect(second.v).to.deep.equal([400, 190, 240]);
    clicks.clear();
    expect(clicks.count).to.equal(0);
    expect(clicks.add({ x: 0, y: 0, z: 1 }, camera, { u: 10, v: 10 }, header).u).to.deep.equal([10, 320]);
  });

  it('needs a second waypoint when there is no planned trace yet', () => {
    const clicks = new ClickedWaypoints();
    expect(() => clicks.add({ x: 0, y: 0, z: 1 }, camera, null, header)).to.throw(TraceOverrideError, /second waypoint/);
    expect(clicks.add({ x: 0.1, y: 0, z: 1 }, camera, null, header).u).to.deep.equal([320, 370]);
  });

  it('refuses points behind the camera or outside its image, and keeps the waypoints it had', () => {
    const clicks = new ClickedWaypoints();
    clicks.add({ x: 0, y: 0, z: 1 }, camera, { u: 0, v: 0 }, header);
    expect(() => clicks.add({ x: 0, y: 0, z: -1 }, camera, null, header)).to.throw(TraceOverrideError, /behind the camera/);
    expect(() => clicks.add({ x: 5, y: 0, z: 1 }, camera, null, header)).to.throw(TraceOverrideError, /outside the camera image/);
    expect(clicks.count).to.equal(1);
  });
});
