import { expect } from 'chai';
import { tabletopFrame } from './support/tabletop_frame.js';
import { liftTrace, PinholeCamera } from '../src/core/messages/camera_model.js';
import { MarkerAction, MarkerType } from '../src/core/messages/builders.js';
import type { Point } from '../src/core/messages/types.js';
import type { DepthImage, RgbImage } from '../src/core/model/types.js';
import { escapeXml, instructionBandSvg, renderTraceImage } from '../src/media/trace_image.js';
import { buildTraceMarkers } from '../src/core/visualize/trace_markers.js';


describe('visualize/trace_markers', () => {
  const stamp = { sec: 1_700_000_000, nanosec: 123 };
  const frameId = 'camera_color_optical_frame';
  const camera = new PinholeCamera(500, 500, 319.5, 239.5, 640, 480);
  // A table 0.9 m away with a hole (no depth) in the lower left corner.
  const depth: DepthImage = { width: 640, height: 480, data: new Float32Array(640 * 480).fill(0.9) };
  for (let y = 380; y < 480; y++) for (let x = 0; x < 100; x++) depth.data[y * 640 + x] = NaN;
  const pixels = [
    { u: 20, v: 460 },
    { u: 200, v: 300 },
    { u: 320, v: 240 },
    { u: 450, v: 180 },
  ];
  const trace3d = liftTrace(camera, depth, pixels);

  it('starts with a DELETEALL and puts everything in the optical frame at the frame stamp', () => {
    expect(trace3d[0]).to.equal(null);
    const { markers } = buildTraceMarkers({ stamp, frameId, trace3d }, { ns: 'trace' });
    expect(markers[0].action).to.equal(MarkerAction.DELETEALL);
    for (const m of markers) {
      expect(m.header).to.deep.equal({ stamp, frame_id: frameId });
      expect(m.ns).to.equal('trace');
    }
    expect(new Set(markers.map((m) => m.id)).size).to.equal(markers.length);
  });

  it('draws the line strip and spheres through the lifted points, skipping the point without depth', () => {
    const { markers } = buildTraceMarkers({ stamp, frameId, trace3d }, { lineWidth: 0.01, pointScale: 0.02 });
    const line = markers.find((m) => m.type === MarkerType.LINE_STRIP)!;
    const spheres = markers.find((m) => m.type === MarkerType.SPHERE_LIST)!;
    const expected = trace3d.slice(1) as Point[];
    expect(line.points).to.deep.equal(expected);
    expect(line.scale.x).to.equal(0.01);
    expect(spheres.points).to.deep.equal(expected);
    expect(spheres.scale).to.deep.equal({ x: 0.02, y: 0.02, z: 0.02 });
    // The depth image is float32, so the lifted z is 0.9 at float32 precision.
    const z = Math.fround(0.9);
    expect(spheres.points[1]).to.deep.equal({ x: ((320 - 319.5) / 500) * z, y: ((240 - 239.5) / 500) * z, z });
    for (const m of [line, spheres]) expect(m.action).to.equal(MarkerAction.ADD);
  });

  it('blends the sphere colours from the start colour to the end colour', () => {
    const colour = { r: 1, g: 0, b: 0, a: 1 };
    const endColour = { r: 0, g: 0, b: 1, a: 1 };
    const { markers } = buildTraceMarkers({ stamp, frameId, trace3d }, { colour, endColour });
    const spheres = markers.find((m) => m.type === MarkerType.SPHERE_LIST)!;
    expect(spheres.colors).to.have.length(3);
    expect(spheres.colors[0]).to.deep.equal(colour);
    expect(spheres.colors[1]).to.deep.equal({ r: 0.5, g: 0, b: 0.5, a: 1 });
    expect(spheres.colors[2]).to.deep.equal(endColour);
  });

  it('labels each valid point with its index in the trace, just above it', () => {
    const { markers } = buildTraceMarkers({ stamp, frameId, trace3d }, { pointScale: 0.02 });
    const labels = markers.filter((m) => m.type === MarkerType.TEXT_VIEW_FACING);
    expect(labels.map((m) => m.text)).to.deep.equal(['1', '2', '3']);
    const p = trace3d[3]!;
    expect(labels[2].pose.position).to.deep.equal({ x: p.x, y: p.y - 0.03, z: p.z });
    expect(labels[2].scale.z).to.be.above(0);
  });

  it('omits the line strip with fewer than two valid points, and draws nothing but DELETEALL with none', () => {
    const one = buildTraceMarkers({ stamp, frameId, trace3d: [null, { x: 0, y: 0, z: 1 }] }).markers;
    expect(one.map((m) => m.type)).to.not.include(MarkerType.LINE_STRIP);
    expect(one.filter((m) => m.type === MarkerType.SPHERE_LIST)).to.have.length(1);
    const none = buildTraceMarkers({ stamp, frameId, trace3d: [null, null] }).markers;
    expect(none).to.have.length(1);
    expect(none[0].action).to.equal(MarkerAction.DELETEALL);
  });

  it('sets the lifetime from seconds', () => {
    const { markers } = buildTraceMarkers({ stamp, frameId, trace3d }, { lifetimeSec: 2.5 });
    expect(markers[1].lifetime).to.deep.equal({ sec: 2, nanosec: 500_000_000 });
  });
});

describe('visualize/trace_image', () => {
  let frame: RgbImage;
  const pixels = [
    { u: 120, v: 400 },
    { u: 250, v: 330 },
    { u: 380, v: 260 },
    { u: 520, v: 160 },
  ];

  before(async () => {
    frame = tabletopFrame();
  });

  const at = (img: RgbImage, u: number, v: number) => Array.from(img.data.subarray((v * img.width + u) * 3, (v * img.width + u) * 3 + 3));

  it('keeps the size, returns raw rgb8 and leaves the input untouched', async () => {
    const before = Buffer.from(frame.data);
    const out = await renderTraceImage(frame, pixels, 'place the watermelon on the towel');
    expect([out.width, out.height, out.data.length]).to.deep.equal([640, 480, 640 * 480 * 3]);
    expect(Buffer.from(frame.data).equals(before)).to.equal(true);
  });

  it('changes the pixels along the trace and leaves pixels far from it alone', async () => {
    const out = await renderTraceImage(frame, pixels, 'place the watermelon on the towel');
    // Midpoints of each segment lie on the polyline.
    for (let i = 0; i + 1 < pixels.length; i++) {
      const u = Math.round((pixels[i].u + pixels[i + 1].u) / 2);
      const v = Math.round((pixels[i].v + pixels[i + 1].v) / 2);
      expect(at(out, u, v), `segment ${i}`).to.not.deep.equal(at(frame, u, v));
    }
    // Bottom right corner: far from the trace and from the instruction band.
    for (const [u, v] of [[630, 470], [600, 440], [20, 200]]) expect(at(out, u, v)).to.deep.equal(at(frame, u, v));
  });

  it('draws the line within half its width of the segment and the outline one pixel beyond, caps included', async () => {
    // 640 wide: a 3 px line (radius 1.5) and a 1 px outline (radius 2.5), on mid grey.
    const grey = { width: 640, height: 480, data: new Uint8Array(640 * 480 * 3).fill(100) };
    const out = await renderTraceImage(grey, [{ u: 100, v: 100 }, { u: 200, v: 100 }, { u: 200, v: 100 }], '', { pointRadius: 0.01 }); // points too small to touch the pixels tested
    const yellow = [0xff, 0xd2, 0x1f];
    const dark = [40, 40, 40];
    const expected: [number, number, number[]][] = [
      [150, 100, yellow], [150, 101, yellow], [150, 99, yellow], [150, 102, dark], [150, 98, dark], [150, 103, [100, 100, 100]],
      [99, 100, yellow], [98, 100, dark], [97, 100, [100, 100, 100]], // the round cap at the start
      [202, 100, dark], [203, 100, [100, 100, 100]], // and at the end (the zero-length last segment adds nothing)
      [98, 102, [100, 100, 100]], // the cap is round: sqrt(8) > 2.5
    ];
    for (const [u, v, colour] of expected) expect(at(out, u, v), `(${u}, ${v})`).to.deep.equal(colour);
  });

  it('draws on the frame itself with inPlace, the same pixels as on a copy', async () => {
    const copy = await renderTraceImage(frame, pixels, 'place the watermelon on the towel');
    const own = { ...frame, data: frame.data.slice() };
    const drawn = await renderTraceImage(own, pixels, 'place the watermelon on the towel', { inPlace: true });
    expect(drawn.data).to.equal(own.data);
    expect(Buffer.from(drawn.data).equals(Buffer.from(copy.data))).to.equal(true);
  });

  it('draws the part of a trace inside the image when it runs past the edges, and nothing for one wholly outside', async () => {
    const crossing = await renderTraceImage(frame, [{ u: -80, v: 300 }, { u: 720, v: 300 }], '');
    for (const u of [0, 320, 639]) expect(at(crossing, u, 300), `u ${u}`).to.not.deep.equal(at(frame, u, 300));
    expect(at(crossing, 320, 250)).to.deep.equal(at(frame, 320, 250));
    const outside = await renderTraceImage(frame, [{ u: -200, v: -50 }, { u: -120, v: 700 }, { u: 900, v: 900 }], '');
    expect(Buffer.from(outside.data).equals(Buffer.from(frame.data))).to.equal(true);
  });

  it('marks the start green and the end red, and writes the instruction in the top band', async () => {
    const out = await renderTraceImage(frame, pixels, 'place the watermelon on the towel');
    // Just left of each circle's centre (the centre holds the number).
    const [sr, sg, sb] = at(out, pixels[0].u - 6, pixels[0].v);
    expect(sg).to.be.above(sr + 60).and.above(sb + 60);
    const [er, eg, eb] = at(out, pixels[3].u - 6, pixels[3].v);
    expect(er).to.be.above(eg + 100).and.above(eb + 100);
    let changed = 0;
    for (let u = 0; u < 640; u++) if (at(out, u, 12).join() !== at(frame, u, 12).join()) changed++;
    expect(changed).to.be.above(600);
  });

  it('escapes XML in the instruction so markup in it is drawn, not parsed', async () => {
    expect(escapeXml(`a <b> & "c" 'd'\u0001`)).to.equal('a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;');
    const band = instructionBandSvg(640, '</text><rect width="640" height="480"/>', 16)!;
    expect(band.svg).to.not.contain('<rect width="640"');
    const out = await renderTraceImage(frame, pixels, 'put the <cup> & "bowl" away</svg>');
    expect(out.data.length).to.equal(640 * 480 * 3);
  });

  it('draws nothing for an empty trace and instruction, and skips non-finite points', async () => {
    const same = await renderTraceImage(frame, [], '');
    expect(Buffer.from(same.data).equals(Buffer.from(frame.data))).to.equal(true);
    // One finite point: its disc and nothing else (no line from or to the NaN one).
    const one = await renderTraceImage(frame, [{ u: NaN, v: 3 }, { u: 100, v: 100 }], '');
    let changed = 0;
    for (let i = 0; i < one.data.length; i++) if (one.data[i] !== frame.data[i]) changed++;
    expect(changed).to.be.above(0);
    for (const [u, v] of [[100, 120], [50, 50], [0, 3]]) expect(at(one, u, v)).to.deep.equal(at(frame, u, v));
  });
});
