import { expect } from 'chai';
import { liftTrace, PinholeCamera, robustDepthAt } from '../src/core/messages/camera_model.js';
import { MessageError } from '../src/core/messages/errors.js';
import { decodeDepthImage, depthSampler, encodeDepthImage } from '../src/core/messages/image_codec.js';
import { seededRandom } from '../src/core/util/random.js';
import type { CameraInfo } from '../src/core/messages/types.js';
import type { DepthImage } from '../src/core/model/types.js';

/** A RealSense D435-like colour camera_info at 640x480. */
function cameraInfo(k: number[] = [615.7, 0, 323.4, 0, 615.9, 238.1, 0, 0, 1], width = 640, height = 480): CameraInfo {
  return {
    header: { stamp: { sec: 0, nanosec: 0 }, frame_id: 'camera_color_optical_frame' },
    width,
    height,
    distortion_model: 'plumb_bob',
    d: [0, 0, 0, 0, 0],
    k,
    r: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    p: [615.7, 0, 323.4, 0, 0, 615.9, 238.1, 0, 0, 0, 1, 0],
    binning_x: 0,
    binning_y: 0,
    roi: { x_offset: 0, y_offset: 0, width: 0, height: 0, do_rectify: false },
  };
}

function filledDepth(width: number, height: number, metres: number): DepthImage {
  return { width, height, data: new Float32Array(width * height).fill(metres) };
}

describe('messages/camera_model: PinholeCamera', () => {
  const camera = PinholeCamera.fromCameraInfo(cameraInfo());

  it('reads fx, fy, cx, cy from K and the size from the message', () => {
    expect(camera).to.include({ fx: 615.7, fy: 615.9, cx: 323.4, cy: 238.1, width: 640, height: 480 });
  });

  it('rejects uncalibrated, non-finite, short K and empty sizes as bad_camera_info', () => {
    expect(() => PinholeCamera.fromCameraInfo(cameraInfo([0, 0, 0, 0, 0, 0, 0, 0, 0])))
      .to.throw(MessageError, /fx = k\[0\] > 0 .*got fx=0, fy=0/)
      .with.property('code', 'bad_camera_info');
    expect(() => PinholeCamera.fromCameraInfo(cameraInfo([600, 0, NaN, 0, 600, 240, 0, 0, 1])))
      .to.throw(MessageError, /k\[2\]: expected a finite number, got NaN/)
      .with.property('code', 'bad_camera_info');
    expect(() => PinholeCamera.fromCameraInfo(cameraInfo([600, 0, 320, 0, 600, 240, 0, 0])))
      .to.throw(MessageError, /expected 9 values .*got 8/)
      .with.property('code', 'bad_camera_info');
    expect(() => PinholeCamera.fromCameraInfo(cameraInfo(undefined, 0, 480)))
      .to.throw(MessageError, /width/)
      .with.property('code', 'bad_camera_info');
  });

  it('rejects finite intrinsics no camera has, and accepts wide, narrow and off-centre real ones', () => {
    const absurd: [number[], number, number, RegExp][] = [
      [[1e-308, 0, 320, 0, 600, 240, 0, 0, 1], 640, 480, /fx = 1e-308/],
      [[600, 0, 320, 0, 1e308, 240, 0, 0, 1], 640, 480, /fy = 1e\+308/],
      [[600, 0, 1e308, 0, 600, 240, 0, 0, 1], 640, 480, /cx = 1e\+308/],
      [[600, 0, 320, 0, 600, -1e9, 0, 0, 1], 640, 480, /cy = -1000000000/],
      [[600, 0, 320, 0, 600, 240, 0, 0, 1], 100000, 480, /larger than a camera image/],
    ];
    for (const [k, width, height, detail] of absurd) {
      expect(() => PinholeCamera.fromCameraInfo(cameraInfo(k, width, height)), String(k))
        .to.throw(MessageError, detail)
        .with.property('code', 'bad_camera_info');
    }
    // A 170-degree wide-angle camera, a 2-degree telephoto, a principal point off the image centre.
    const wide = 640 / 2 / Math.tan((170 / 2) * (Math.PI / 180));
    const tele = 640 / 2 / Math.tan((2 / 2) * (Math.PI / 180));
    for (const k of [[wide, 0, 320, 0, wide, 240, 0, 0, 1], [tele, 0, 320, 0, tele, 240, 0, 0, 1], [600, 0, 700, 0, 600, -100, 0, 0, 1]]) {
      expect(() => PinholeCamera.fromCameraInfo(cameraInfo(k)), String(k)).not.to.throw();
    }
  });

  it('never lifts a trace point to a non-finite position', () => {
    const camera = new PinholeCamera(1e-308, 1e-308, 320, 240, 640, 480);
    const points = liftTrace(camera, filledDepth(640, 480, 1), [{ u: 10, v: 10 }, { u: 320, v: 240 }]);
    expect(points[0]).to.equal(null);
    expect(points[1]).to.deep.equal({ x: 0, y: 0, z: 1 });
  });

  it('projects and lifts back the same points', () => {
    for (const p of [{ x: 0.1, y: -0.05, z: 0.8 }, { x: -0.3, y: 0.2, z: 1.7 }, { x: 0, y: 0, z: 0.25 }]) {
      const px = camera.project(p)!;
      expect(px).to.not.equal(null);
      const back = camera.liftPixel(px.u, px.v, p.z);
      expect(back.x).to.be.closeTo(p.x, 1e-12);
      expect(back.y).to.be.closeTo(p.y, 1e-12);
      expect(back.z).to.equal(p.z);
    }
  });

  it('puts the optical axis on the principal point and returns null behind the camera', () => {
    expect(camera.project({ x: 0, y: 0, z: 2 })).to.deep.equal({ u: 323.4, v: 238.1 });
    expect(camera.pixelToRay(323.4, 238.1)).to.deep.equal({ x: 0, y: 0, z: 1 });
    expect(camera.project({ x: 0.1, y: 0, z: -1 })).to.equal(null);
    expect(camera.project({ x: 0.1, y: 0, z: 0 })).to.equal(null);
  });

  it('rejects a non-positive or non-finite depth when lifting', () => {
    expect(() => camera.liftPixel(10, 10, 0)).to.throw(MessageError).with.property('code', 'bad_value');
    expect(() => camera.liftPixel(10, 10, NaN)).to.throw(MessageError).with.property('code', 'bad_value');
  });

  it('scales to another resolution so a point lands on the corresponding pixel', () => {
    const half = camera.scaledTo(320, 240);
    expect(half.fx).to.be.closeTo(307.85, 1e-9);
    expect(half.cx).to.be.closeTo((323.4 + 0.5) / 2 - 0.5, 1e-9);
    const p = { x: 0.2, y: 0.1, z: 1.1 };
    const full = camera.project(p)!;
    const small = half.project(p)!;
    expect(small.u).to.be.closeTo((full.u + 0.5) / 2 - 0.5, 1e-9);
    expect(small.v).to.be.closeTo((full.v + 0.5) / 2 - 0.5, 1e-9);
    expect(() => camera.scaledTo(0, 240)).to.throw(MessageError).with.property('code', 'bad_size');
  });
});

describe('messages/camera_model: robustDepthAt and liftTrace', () => {
  it('takes the median of the window, ignoring an outlier', () => {
    const depth = filledDepth(20, 20, 1.0);
    depth.data[10 * 20 + 10] = 5.0;
    depth.data[10 * 20 + 11] = 0.9;
    expect(robustDepthAt(depth, 10, 10)).to.equal(1.0);
  });

  it('treats NaN and 0 as holes and takes the lower middle of an even count', () => {
    const depth = filledDepth(5, 5, NaN);
    depth.data[0] = 0;
    depth.data[1] = 2.0;
    depth.data[2] = 1.5;
    depth.data[3] = 0;
    expect(robustDepthAt(depth, 1, 1, 1)).to.equal(1.5);
  });

  it('grows the window over a hole until it reaches valid depth', () => {
    const depth = filledDepth(40, 40, 0.8);
    // An 11x11 hole (mixed NaN and zeros) around (20, 20).
    for (let y = 15; y <= 25; y++) for (let x = 15; x <= 25; x++) depth.data[y * 40 + x] = (x + y) % 2 ? NaN : 0;
    expect(robustDepthAt(depth, 20, 20, 2, 4)).to.equal(null);
    expect(robustDepthAt(depth, 20, 20, 2, 8)).to.equal(Math.fround(0.8));
  });

  it('returns null outside the image, for non-finite coordinates, and for an image with no depth', () => {
    const depth = filledDepth(8, 8, 1.0);
    expect(robustDepthAt(depth, -1, 3)).to.equal(null);
    expect(robustDepthAt(depth, 3, 8)).to.equal(null);
    expect(robustDepthAt(depth, NaN, 3)).to.equal(null);
    expect(robustDepthAt(filledDepth(8, 8, NaN), 3, 3)).to.equal(null);
    expect(() => robustDepthAt(depth, 3, 3, NaN)).to.throw(MessageError).with.property('code', 'bad_value');
  });

  it('lifts trace pixels with a depth image at half the camera resolution', () => {
    const camera = PinholeCamera.fromCameraInfo(cameraInfo([500, 0, 319.5, 0, 500, 239.5, 0, 0, 1]));
    const depth = filledDepth(320, 240, 1.25);
    // Make the right half of the depth image a hole wider than the search window.
    for (let y = 0; y < 240; y++) for (let x = 200; x < 320; x++) depth.data[y * 320 + x] = NaN;
    const points = liftTrace(camera, depth, [
      { u: 319.5, v: 239.5 },
      { u: 100, v: 50 },
      { u: 600, v: 200 },
    ]);
    expect(points[0]).to.deep.equal({ x: 0, y: 0, z: 1.25 });
    expect(points[1]!.x).to.be.closeTo(((100 - 319.5) / 500) * 1.25, 1e-6);
    expect(points[1]!.y).to.be.closeTo(((50 - 239.5) / 500) * 1.25, 1e-6);
    expect(points[2]).to.equal(null);
  });

  it('lifts the same points from the depth message read in place as from the decoded image', () => {
    // A 16UC1 frame with a slope, speckle holes and a large hole, as a depth camera sends it.
    const random = seededRandom(3);
    const metric = filledDepth(320, 240, 0);
    for (let y = 0; y < 240; y++) {
      for (let x = 0; x < 320; x++) {
        const hole = random() < 0.2 || (x > 160 && x < 180 && y > 110 && y < 130);
        metric.data[y * 320 + x] = hole ? NaN : 0.6 + x * 0.002 + random() * 0.01;
      }
    }
    const msg = encodeDepthImage({ stamp: { sec: 1, nanosec: 0 }, frame_id: 'depth' }, metric, '16UC1');
    const camera = PinholeCamera.fromCameraInfo(cameraInfo());
    const pixels = Array.from({ length: 200 }, () => ({ u: random() * 660 - 10, v: random() * 500 - 10 }));
    pixels.push({ u: 340, v: 240 }); // the middle of the large hole
    const fromSampler = liftTrace(camera, depthSampler(msg), pixels);
    expect(fromSampler).to.deep.equal(liftTrace(camera, decodeDepthImage(msg), pixels));
    expect(fromSampler.filter((p) => p !== null).length).to.be.greaterThan(150);
    expect(fromSampler[200]).to.not.equal(null);
  });
});
