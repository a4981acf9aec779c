import { expect } from 'chai';
import { CameraGeometry, prepareCameraImage } from '../src/media/camera_image.js';
import type { CameraSpec } from '../src/core/model/manifest.js';
import type { RgbImage } from '../src/core/model/types.js';

const LIBERO: CameraSpec = { name: 'agentview', topic: null, width: 256, height: 256, cropArea: 0.9, rotate180: true };

/** A frame whose red channel is the column and green channel the row (mod 256). */
function coordinates(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x % 256, y % 256, 0], (y * width + x) * 3);
  return { width, height, data };
}

describe('reasoning/remote/camera_image', () => {
  it("crops the centre as upstream's LIBERO client: int(w * sqrt(0.9)), offset (w - cw) // 2", () => {
    const g = new CameraGeometry(LIBERO, 256, 256);
    expect([g.cropWidth, g.cropHeight, g.left, g.top]).to.deep.equal([242, 242, 7, 7]);
  });

  it('maps a trace between the model image and the frame both ways (crop, turn, resize)', () => {
    for (const camera of [LIBERO, { ...LIBERO, rotate180: false }, { ...LIBERO, cropArea: 1, rotate180: false }]) {
      const g = new CameraGeometry(camera, 640, 480);
      const model = { x: [0, 50, 128, 255], y: [255, 10, 128, 0] };
      const back = g.toModel(g.toFrame(model));
      back.x.forEach((x, i) => expect(x).to.be.closeTo(model.x[i], 1e-9));
      back.y.forEach((y, i) => expect(y).to.be.closeTo(model.y[i], 1e-9));
    }
    // Turned: the model's top-left corner is the crop's bottom-right corner in the frame.
    const g = new CameraGeometry(LIBERO, 256, 256);
    const corner = g.toFrame({ x: [0], y: [0] });
    expect(corner.x[0]).to.be.closeTo(255 - 7, 1e-9);
    expect(corner.y[0]).to.be.closeTo(255 - 7, 1e-9);
    // Without crop or turn the trace is the same fraction of both images.
    const plain = new CameraGeometry({ ...LIBERO, cropArea: 1, rotate180: false }, 640, 480);
    expect(plain.toFrame({ x: [100], y: [200] })).to.deep.equal({ x: [100], y: [200] });
  });

  it('turns, crops and resizes the pixels the way the geometry says', async () => {
    const frame = coordinates(256, 256);
    const image = await prepareCameraImage(frame, { ...LIBERO, width: 242, height: 242 });
    expect([image.width, image.height]).to.deep.equal([242, 242]);
    // Without a resize: the model's pixel (0, 0) is the frame's pixel (248, 248), turned.
    expect(Array.from(image.data.subarray(0, 3))).to.deep.equal([248, 248, 0]);
    const last = (241 * 242 + 241) * 3;
    expect(Array.from(image.data.subarray(last, last + 3))).to.deep.equal([7, 7, 0]);
    // The frame is left as it was.
    expect(Array.from(frame.data.subarray(0, 3))).to.deep.equal([0, 0, 0]);
    const small = await prepareCameraImage(coordinates(640, 480), { name: 'x', topic: null, width: 320, height: 180, cropArea: 1, rotate180: false });
    expect([small.width, small.height, small.data.length]).to.deep.equal([320, 180, 320 * 180 * 3]);
  });
});
