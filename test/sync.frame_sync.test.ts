import { expect } from 'chai';
import { FrameSync, imageLoss, LOSS_WINDOW, type FrameSyncOptions } from '../src/core/sync/frame_sync.js';
import type { CameraInfo, Image, JointState, Time } from '../src/core/messages/types.js';
import { seededRandom, uniform } from '../src/core/util/random.js';

const T0 = 1_700_000_000;

function stamp(sec: number): Time {
  const whole = Math.floor(sec);
  return { sec: whole, nanosec: Math.round((sec - whole) * 1e9) };
}

function image(sec: number, encoding = 'rgb8'): Image {
  return {
    header: { stamp: stamp(sec), frame_id: 'camera_color_optical_frame' },
    height: 2,
    width: 2,
    encoding,
    is_bigendian: 0,
    step: 6,
    data: new Uint8Array(12),
  };
}

function info(sec: number): CameraInfo {
  return {
    header: { stamp: stamp(sec), frame_id: 'camera_color_optical_frame' },
    height: 2,
    width: 2,
    distortion_model: 'plumb_bob',
    d: [],
    k: [1, 0, 1, 0, 1, 1, 0, 0, 1],
    r: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    p: [1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0],
    binning_x: 0,
    binning_y: 0,
    roi: { x_offset: 0, y_offset: 0, height: 0, width: 0, do_rectify: false },
  };
}

function joints(sec: number): JointState {
  return { header: { stamp: stamp(sec), frame_id: '' }, name: ['j1'], position: [0.1], velocity: [], effort: [] };
}

describe('FrameSync', () => {
  let now = T0;
  const make = (slopSec = 0.02, maxAgeSec = 0.5, extra: Partial<FrameSyncOptions> = {}) =>
    new FrameSync({ slopSec, maxAgeSec, maxFutureSec: 0.5, now: () => now, ...extra });

  beforeEach(() => {
    now = T0 + 0.1;
  });

  it('emits a frame once RGB, depth, camera info and joints within the slop have all arrived', () => {
    const sync = make();
    expect(sync.addRgb(image(T0))).to.equal(null);
    expect(sync.addDepth(image(T0 + 0.005, '16UC1'))).to.equal(null);
    expect(sync.addCameraInfo(info(T0))).to.equal(null);
    const frame = sync.addJointState(joints(T0 - 0.01));
    expect(frame).to.not.equal(null);
    expect(frame!.stamp).to.deep.equal(stamp(T0));
    expect(frame!.frameId).to.equal('camera_color_optical_frame');
    expect(frame!.depth.encoding).to.equal('16UC1');
    expect(frame!.joints.position).to.deep.equal([0.1]);
    expect(sync.stats).to.deep.equal({ matched: 1, stale: 0, unmatched: 0, future: 0, clockJumps: 0, received: { rgb: 1, depth: 1, cameraInfo: 1, joints: 1 } });
  });

  it('does not pair messages further apart than the slop', () => {
    const sync = make(0.02);
    sync.addRgb(image(T0));
    sync.addCameraInfo(info(T0));
    sync.addJointState(joints(T0));
    expect(sync.addDepth(image(T0 + 0.05, '16UC1'))).to.equal(null);
  });

  it('picks the closest joint state among many', () => {
    const sync = make(0.02);
    for (let i = 0; i < 20; i++) {
      const j = joints(T0 - 0.05 + i * 0.005);
      j.position = [i];
      sync.addJointState(j);
    }
    sync.addRgb(image(T0));
    sync.addCameraInfo(info(T0));
    const frame = sync.addDepth(image(T0, '16UC1'));
    expect(frame!.joints.position).to.deep.equal([10]); // stamped exactly T0
  });

  it('emits the newest complete set and counts the older RGB images it supersedes', () => {
    const sync = make(0.02);
    sync.addCameraInfo(info(T0));
    sync.addCameraInfo(info(T0 + 0.033));
    sync.addCameraInfo(info(T0 + 0.066));
    sync.addRgb(image(T0));
    sync.addRgb(image(T0 + 0.033));
    sync.addRgb(image(T0 + 0.066));
    sync.addJointState(joints(T0 + 0.066));
    sync.addJointState(joints(T0));
    const frame = sync.addDepth(image(T0 + 0.066, '16UC1'));
    expect(frame!.stamp).to.deep.equal(stamp(T0 + 0.066));
    expect(sync.stats.unmatched).to.equal(2);
    // An older depth arriving late cannot produce an older frame afterwards.
    expect(sync.addDepth(image(T0, '16UC1'))).to.equal(null);
  });

  it('never matches the same images twice (their buffers move to the worker)', () => {
    const sync = make(0.02);
    sync.addRgb(image(T0));
    sync.addCameraInfo(info(T0));
    sync.addJointState(joints(T0));
    expect(sync.addDepth(image(T0, '16UC1'))).to.not.equal(null);
    // A second RGB within slop of the consumed depth finds no depth to pair with.
    expect(sync.addRgb(image(T0 + 0.01))).to.equal(null);
    expect(sync.addDepth(image(T0 + 0.011, '16UC1'))).to.not.equal(null);
  });

  it('refuses stale sets and counts them', () => {
    const sync = make(0.02, 0.5);
    now = T0 + 2;
    sync.addRgb(image(T0));
    sync.addCameraInfo(info(T0));
    sync.addJointState(joints(T0));
    expect(sync.addDepth(image(T0, '16UC1'))).to.equal(null);
    expect(sync.stats.stale).to.equal(1);
    expect(sync.stats.matched).to.equal(0);
  });

  it('handles out-of-order arrival within a stream', () => {
    const sync = make(0.02);
    sync.addCameraInfo(info(T0));
    sync.addJointState(joints(T0));
    sync.addDepth(image(T0 + 0.1, '16UC1'));
    sync.addDepth(image(T0, '16UC1'));
    const frame = sync.addRgb(image(T0));
    expect(frame).to.not.equal(null);
    expect(frame!.depth.header.stamp).to.deep.equal(stamp(T0));
  });

  it('pairs each set in whatever order its messages arrive, never one set\'s colour with another\'s depth', () => {
    const random = seededRandom(11);
    /** Four sets 33 ms apart (what the buffers hold), colour and depth up to 8 ms apart; data[0] names the set. */
    const burst = () =>
      Array.from({ length: 4 }, (_, k) => {
        const t = T0 + k * 0.033;
        const rgb = image(t + uniform(random, -0.004, 0.004));
        const depth = image(t + uniform(random, -0.004, 0.004), '16UC1');
        rgb.data[0] = depth.data[0] = k + 1;
        return [
          ['rgb', rgb],
          ['depth', depth],
          ['info', info(t)],
          ['joints', joints(t)],
        ] as const;
      });
    const deliver = (sync: FrameSync, [topic, msg]: readonly [string, Image | CameraInfo | JointState]) =>
      topic === 'rgb' ? sync.addRgb(msg as Image) : topic === 'depth' ? sync.addDepth(msg as Image) : topic === 'info' ? sync.addCameraInfo(msg as CameraInfo) : sync.addJointState(msg as JointState);
    for (let trial = 0; trial < 500; trial++) {
      const sets = burst();
      // A busy executor drains each topic's queue in order, the topics in any interleaving.
      const queues = ['rgb', 'depth', 'info', 'joints'].map((topic) => sets.map((set) => set.find(([t]) => t === topic)!));
      const order: (typeof queues)[number][number][] = [];
      while (queues.some((q) => q.length > 0)) {
        const open = queues.filter((q) => q.length > 0);
        order.push(open[Math.floor(random() * open.length)].shift()!);
      }
      const sync = make(0.02);
      const emitted = order.map((m) => deliver(sync, m)).filter((f) => f !== null);
      expect(emitted.map((f) => (f.rgb as Image).data[0]), `trial ${trial}`).to.deep.equal([1, 2, 3, 4]);
      for (const f of emitted) expect(f.depth.data[0]).to.equal((f.rgb as Image).data[0]);

      // Wholly out of order (messages lost and resent, several publishers): the newest set is
      // always emitted, and every frame is one set's colour with the same set's depth.
      const shuffled = burst().flat();
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      const anyOrder = make(0.02);
      const frames = shuffled.map((m) => deliver(anyOrder, m)).filter((f) => f !== null);
      expect(frames.length, `trial ${trial}`).to.be.greaterThan(0);
      expect((frames[frames.length - 1].rgb as Image).data[0]).to.equal(4);
      for (const f of frames) expect(f.depth.data[0]).to.equal((f.rgb as Image).data[0]);
    }
  });

  it('rejects a nonsensical configuration', () => {
    expect(() => new FrameSync({ slopSec: -1, maxAgeSec: 1, maxFutureSec: 0, now: () => 0 })).to.throw(RangeError);
    expect(() => new FrameSync({ slopSec: 0.1, maxAgeSec: 0, maxFutureSec: 0, now: () => 0 })).to.throw(RangeError);
    expect(() => new FrameSync({ slopSec: 0.1, maxAgeSec: 1, maxFutureSec: NaN, now: () => 0 })).to.throw(RangeError);
    expect(() => make().configure({ slopSec: 0.1, maxAgeSec: 1, maxFutureSec: -1 })).to.throw(RangeError);
  });

  /** One complete set stamped `sec`; returns the frame it completed, if any. */
  const addSet = (sync: FrameSync, sec: number) => {
    sync.addCameraInfo(info(sec));
    sync.addJointState(joints(sec));
    sync.addDepth(image(sec, '16UC1'));
    return sync.addRgb(image(sec));
  };

  it('refuses messages stamped too far ahead of the clock, and matches the sets at the clock right after', () => {
    const ahead: number[] = [];
    const sync = make(0.02, 0.5, { onFutureStamp: (aheadSec) => ahead.push(aheadSec) });
    expect(addSet(sync, now + 100)).to.equal(null);
    expect(sync.stats.future).to.equal(4);
    expect(ahead[0]).to.be.closeTo(100, 1e-6);
    let matched = 0;
    for (let i = 0; i < 10; i++) {
      now += 1 / 30;
      if (addSet(sync, now - 0.01)) matched++;
    }
    expect(matched).to.equal(10);
    // Within max_frame_future_s (clock skew between machines) a set still counts.
    expect(addSet(sync, now + 0.3)).to.not.equal(null);
  });

  it('starts afresh when the clock jumps back, and says so once per jump', () => {
    const jumps: number[] = [];
    const sync = make(0.02, 0.5, { onClockJump: (backSec) => jumps.push(backSec) });
    for (let i = 0; i < 5; i++) {
      now += 1 / 30;
      expect(addSet(sync, now - 0.01)).to.not.equal(null);
    }
    // A looping bag or a restarted simulator: clock and stamps 30 s back.
    now -= 30;
    let matched = 0;
    for (let i = 0; i < 10; i++) {
      now += 1 / 30;
      if (addSet(sync, now - 0.01)) matched++;
    }
    expect(matched).to.equal(10);
    expect(jumps).to.have.length(1);
    expect(jumps[0]).to.be.closeTo(30 - 1 / 30, 1e-6);
    expect(sync.stats.clockJumps).to.equal(1);
  });

  it('takes new limits at run time (sync_slop_s, max_frame_age_s, max_frame_future_s)', () => {
    const sync = make(0.02, 0.5);
    // Depth 40 ms off: outside a 20 ms slop, inside a 50 ms one.
    const offset = (s: FrameSync, sec: number) => {
      s.addCameraInfo(info(sec));
      s.addJointState(joints(sec));
      s.addDepth(image(sec + 0.04, '16UC1'));
      return s.addRgb(image(sec));
    };
    now += 1;
    expect(offset(sync, now - 0.1)).to.equal(null);
    sync.configure({ slopSec: 0.05, maxAgeSec: 0.5, maxFutureSec: 0.5 });
    now += 1;
    expect(offset(sync, now - 0.1)).to.not.equal(null);
    // A set 0.3 s old: fresh under 0.5 s, stale under 0.2 s.
    sync.configure({ slopSec: 0.05, maxAgeSec: 0.2, maxFutureSec: 0.5 });
    now += 1;
    const staleBefore = sync.stats.stale;
    expect(addSet(sync, now - 0.3)).to.equal(null);
    expect(sync.stats.stale).to.equal(staleBefore + 1);
    // A set 0.3 s ahead: taken under 0.5 s, refused under 0.1 s.
    sync.configure({ slopSec: 0.05, maxAgeSec: 0.2, maxFutureSec: 0.1 });
    now += 1;
    expect(addSet(sync, now + 0.3)).to.equal(null);
    expect(sync.stats.future).to.equal(4);
  });
});

describe('FrameSync with further cameras', () => {
  it('completes a set only with an image of each further camera within the slop, and carries them', async () => {
    const { FrameSync } = await import('../src/core/sync/frame_sync.js');
    const { SyntheticCamera } = await import('../src/apps/sim/synthetic_camera.js');
    const main = new SyntheticCamera(['j1']);
    const wrist = new SyntheticCamera(['j1']);
    const sync = new FrameSync({ slopSec: 0.02, maxAgeSec: 1, maxFutureSec: 0.5, now: () => 1_700_000_000.1 });
    sync.setExtraCameras(['wrist']);
    const m = main.next({ stampSec: 1_700_000_000 });
    sync.addCameraInfo(m.cameraInfo);
    sync.addJointState(m.joints);
    sync.addDepth(m.depth);
    expect(sync.addRgb(m.rgb)).to.equal(null);
    // A wrist image too far from the stamp does not complete it; one within the slop does.
    expect(sync.addExtraImage('wrist', wrist.next({ stampSec: 1_700_000_000.05 }).rgb)).to.equal(null);
    const w = wrist.next({ stampSec: 1_700_000_000.01 }).rgb;
    const frame = sync.addExtraImage('wrist', w);
    expect(frame).to.not.equal(null);
    expect(frame!.extraImages).to.have.length(1);
    expect(frame!.extraImages![0].name).to.equal('wrist');
    expect(frame!.extraImages![0].image).to.equal(w);
    // Images of cameras the model does not take are ignored.
    expect(sync.addExtraImage('left', w)).to.equal(null);
  });
});

describe('imageLoss: images that go missing between the camera and the node', () => {
  const zero = { rgb: 0, depth: 0, cameraInfo: 0, joints: 0 };

  it('says nothing before a window of camera infos, or while at least 80 % of the images arrive', () => {
    expect(imageLoss(zero, { rgb: 10, depth: 10, cameraInfo: LOSS_WINDOW - 1, joints: 0 })).to.equal(null);
    expect(imageLoss(zero, { rgb: 80, depth: 95, cameraInfo: 100, joints: 300 })).to.equal(null);
  });

  it('names the stream that lost images, with the counts, and where to look', () => {
    const message = imageLoss({ rgb: 5, depth: 5, cameraInfo: 5, joints: 0 }, { rgb: 53, depth: 103, cameraInfo: 105, joints: 0 });
    expect(message).to.match(/^only 48 colour images arrived with 100 camera_info messages: .*DDS.*docs\/ros-setup.md/);
    expect(imageLoss(zero, { rgb: 10, depth: 20, cameraInfo: 100, joints: 0 })).to.match(/10 colour images and 20 depth images/);
  });
});
