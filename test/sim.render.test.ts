import { expect } from 'chai';
import { applyToPoint, fromXyzRpy, identity, invert, type Transform } from '../src/core/kinematics/transform.js';
import { PinholeCamera } from '../src/core/messages/camera_model.js';
import { lookAt, renderScene, type RenderCamera, type RenderScene } from '../src/apps/sim/render.js';
import { type SceneObject, type Shape } from '../src/apps/sim/render_geometry.js';

type V3 = [number, number, number];

/** A camera whose principal point sits on pixel centre (c, c) when the size is odd. */
function camera(width: number, height: number, f: number): PinholeCamera {
  return new PinholeCamera(f, f, (width - 1) / 2, (height - 1) / 2, width, height);
}

/** Camera at the world origin with the optical frame equal to the world frame (z forward, y down). */
function straightView(cam: PinholeCamera): RenderCamera {
  return { camera: cam, worldFromCamera: identity() };
}

function object(id: string, shape: Shape, xyz: V3, rpy: V3 = [0, 0, 0], color: V3 = [200, 100, 50]): SceneObject {
  return { id, shape, pose: fromXyzRpy(xyz, rpy), color };
}

function scene(objects: SceneObject[], extra: Partial<RenderScene> = {}): RenderScene {
  return { objects, background: [10, 20, 30], lightDirection: [0, 0, -1], ambient: 0.3, ...extra };
}

/** Hit pixels of one image row (or column) as offsets from the principal point. */
function hitsAlongRow(index: Int16Array, width: number, v: number): number[] {
  const out: number[] = [];
  for (let u = 0; u < width; u++) if (index[v * width + u] >= 0) out.push(u);
  return out;
}

function hitsAlongColumn(index: Int16Array, width: number, height: number, u: number): number[] {
  const out: number[] = [];
  for (let v = 0; v < height; v++) if (index[v * width + u] >= 0) out.push(v);
  return out;
}

/** Depth of a sphere-like circular section: ray (x, 0, 1) against a circle of radius r at z = d. */
function circleDepth(x: number, d: number, r: number): number {
  const a = x * x + 1;
  return (d - Math.sqrt(d * d - a * (d * d - r * r))) / a;
}

/** Signed distance from a point in the object's frame to its surface (negative inside). */
function signedDistance(shape: Shape, p: { x: number; y: number; z: number }): number {
  switch (shape.kind) {
    case 'sphere':
      return Math.hypot(p.x, p.y, p.z) - shape.radius;
    case 'box': {
      const qx = Math.abs(p.x) - shape.size[0] / 2;
      const qy = Math.abs(p.y) - shape.size[1] / 2;
      const qz = Math.abs(p.z) - shape.size[2] / 2;
      return Math.hypot(Math.max(qx, 0), Math.max(qy, 0), Math.max(qz, 0)) + Math.min(Math.max(qx, qy, qz), 0);
    }
    case 'cylinder': {
      const dr = Math.hypot(p.x, p.y) - shape.radius;
      const dz = Math.abs(p.z) - shape.height / 2;
      return Math.min(Math.max(dr, dz), 0) + Math.hypot(Math.max(dr, 0), Math.max(dz, 0));
    }
    case 'capsule': {
      const half = shape.length / 2;
      const zc = Math.max(-half, Math.min(half, p.z));
      return Math.hypot(p.x, p.y, p.z - zc) - shape.radius;
    }
  }
}

/** A tabletop like the simulation's: table, plate, four small objects, an arm of capsules and a gripper. */
function tabletop(): SceneObject[] {
  const white: V3 = [225, 225, 225];
  return [
    object('table', { kind: 'box', size: [1.2, 1.6, 0.05] }, [0.5, 0, -0.025], [0, 0, 0], [150, 110, 70]),
    object('plate', { kind: 'cylinder', radius: 0.1, height: 0.02 }, [0.55, 0.2, 0.01], [0, 0, 0], [235, 235, 235]),
    object('cube', { kind: 'box', size: [0.05, 0.05, 0.05] }, [0.45, -0.1, 0.025], [0, 0, 0.4], [200, 30, 30]),
    object('ball', { kind: 'sphere', radius: 0.03 }, [0.6, -0.2, 0.03], [0, 0, 0], [30, 30, 200]),
    object('can', { kind: 'cylinder', radius: 0.03, height: 0.1 }, [0.35, 0.15, 0.05], [0, 0, 0], [30, 200, 30]),
    object('bar', { kind: 'capsule', radius: 0.015, length: 0.08 }, [0.7, 0.05, 0.015], [0, Math.PI / 2, 0.7], [220, 200, 20]),
    object('link0', { kind: 'capsule', radius: 0.06, length: 0.3 }, [0, 0, 0.15], [0, 0, 0], white),
    object('link1', { kind: 'capsule', radius: 0.055, length: 0.3 }, [0.1, 0, 0.4], [0, 1.0, 0], white),
    object('link2', { kind: 'capsule', radius: 0.05, length: 0.3 }, [0.3, 0, 0.45], [0, 1.9, 0], white),
    object('hand', { kind: 'box', size: [0.05, 0.2, 0.06] }, [0.45, 0, 0.3], [0, 0, 0.2], [240, 240, 240]),
    object('finger_l', { kind: 'box', size: [0.02, 0.015, 0.05] }, [0.45, 0.03, 0.245], [0, 0, 0.2], [50, 50, 50]),
    object('finger_r', { kind: 'box', size: [0.02, 0.015, 0.05] }, [0.45, -0.03, 0.245], [0, 0, 0.2], [50, 50, 50]),
  ];
}

const TABLE_VIEW = lookAt([1.3, 0.15, 0.8], [0.45, 0, 0.05]);

describe('sim/render: renderScene', () => {
  it('renders a sphere straight ahead as a disc of the pinhole radius, nearest at its centre', () => {
    const cam = camera(201, 201, 200); // principal point on pixel (100, 100)
    const d = 1;
    const r = 0.1;
    const { depth, objectIndex } = renderScene(scene([object('ball', { kind: 'sphere', radius: r }, [0, 0, d])]), straightView(cam));
    // The silhouette is the cone of half-angle asin(r / d): a circle of radius f r / sqrt(d^2 - r^2).
    const rho = (200 * r) / Math.sqrt(d * d - r * r);
    expect(rho).to.be.closeTo(20.1008, 1e-4);
    let expected = 0;
    let got = 0;
    for (let v = 0; v < 201; v++) {
      for (let u = 0; u < 201; u++) {
        const inside = (u - 100) ** 2 + (v - 100) ** 2 <= rho * rho;
        if (inside) expected++;
        if (objectIndex[v * 201 + u] === 0) got++;
        expect(objectIndex[v * 201 + u], `pixel ${u},${v}`).to.equal(inside ? 0 : -1);
      }
    }
    expect(got).to.equal(expected);
    expect(hitsAlongRow(objectIndex, 201, 100)).to.deep.equal(Array.from({ length: 41 }, (_, i) => 80 + i));

    const centre = 100 * 201 + 100;
    expect(depth.data[centre]).to.be.closeTo(d - r, 1e-6);
    // Depth grows from the centre to the rim, as the sphere's surface curves away.
    for (let du = 1; du <= 20; du++) {
      const here = depth.data[centre + du];
      expect(here).to.be.greaterThan(depth.data[centre + du - 1]);
      expect(here).to.be.closeTo(circleDepth(du / 200, d, r), 1e-6);
      expect(depth.data[centre - du]).to.equal(here);
    }
    expect(depth.data[centre + 20]).to.be.closeTo(circleDepth(0.1, d, r), 1e-6).and.to.be.greaterThan(0.95);
  });

  it('renders a box seen face-on with the constant depth of its near face', () => {
    const cam = camera(201, 201, 200);
    const { depth, objectIndex } = renderScene(scene([object('box', { kind: 'box', size: [0.4, 0.3, 0.2] }, [0, 0, 2])]), straightView(cam));
    // The near face at z = 1.9 spans +-0.2 x +-0.15 m: +-21.05 x +-15.79 pixels.
    let hits = 0;
    for (let v = 0; v < 201; v++) {
      for (let u = 0; u < 201; u++) {
        const i = v * 201 + u;
        const inside = Math.abs(u - 100) <= 21 && Math.abs(v - 100) <= 15;
        expect(objectIndex[i], `pixel ${u},${v}`).to.equal(inside ? 0 : -1);
        if (inside) {
          hits++;
          expect(depth.data[i]).to.equal(depth.data[100 * 201 + 100]);
        }
      }
    }
    expect(hits).to.equal(43 * 31);
    expect(depth.data[100 * 201 + 100]).to.be.closeTo(1.9, 1e-6);
  });

  it('leaves depth NaN and the background colour where nothing is hit', () => {
    const cam = camera(64, 48, 60);
    const empty = renderScene(scene([]), straightView(cam));
    expect(empty.rgb).to.include({ width: 64, height: 48 });
    expect(empty.depth).to.include({ width: 64, height: 48 });
    expect(empty.depth.data.every((z) => Number.isNaN(z))).to.equal(true);
    expect(empty.objectIndex.every((k) => k === -1)).to.equal(true);
    for (let i = 0; i < 64 * 48; i++) expect([...empty.rgb.data.subarray(i * 3, i * 3 + 3)]).to.deep.equal([10, 20, 30]);

    // A sphere behind the camera, and one beside the view, are not seen either.
    const hidden = renderScene(
      scene([object('behind', { kind: 'sphere', radius: 0.2 }, [0, 0, -1]), object('aside', { kind: 'sphere', radius: 0.1 }, [3, 0, 1])]),
      straightView(cam),
    );
    expect(hidden.objectIndex.every((k) => k === -1)).to.equal(true);
    expect(hidden.depth.data.every((z) => Number.isNaN(z))).to.equal(true);

    const ball = renderScene(scene([object('ball', { kind: 'sphere', radius: 0.1 }, [0, 0, 1])]), straightView(cam));
    expect(ball.objectIndex[0]).to.equal(-1);
    expect(ball.depth.data[0]).to.be.NaN;
    expect([...ball.rgb.data.subarray(0, 3)]).to.deep.equal([10, 20, 30]);
  });

  it('marks each pixel with the object seen there, the nearer one occluding the farther', () => {
    const cam = camera(201, 201, 200);
    const near = object('near', { kind: 'sphere', radius: 0.05 }, [0, 0, 0.5], [0, 0, 0], [255, 0, 0]);
    const far = object('far', { kind: 'box', size: [0.6, 0.6, 0.6] }, [0, 0, 1], [0, 0, 0], [0, 0, 255]);
    const centre = 100 * 201 + 100;
    const aside = centre + 30; // beyond the near sphere's 20-pixel disc, within the box's 43-pixel half-width

    for (const [objects, nearIndex, farIndex] of [[[near, far], 0, 1], [[far, near], 1, 0]] as const) {
      const { depth, objectIndex, rgb } = renderScene(scene([...objects], { lightDirection: [0, 0, -1], ambient: 0 }), straightView(cam));
      expect(objectIndex[centre]).to.equal(nearIndex);
      expect(depth.data[centre]).to.be.closeTo(0.45, 1e-6);
      expect([...rgb.data.subarray(centre * 3, centre * 3 + 3)]).to.deep.equal([255, 0, 0]);
      expect(objectIndex[aside]).to.equal(farIndex);
      expect(depth.data[aside]).to.be.closeTo(0.7, 1e-6);
      expect([...rgb.data.subarray(aside * 3, aside * 3 + 3)]).to.deep.equal([0, 0, 255]);
    }
  });

  it('shades a face turned to the light brighter than one turned away, by Lambert with ambient', () => {
    const cam = camera(201, 201, 200);
    // A cube turned 45 degrees about the image's vertical axis: its left face looks at the camera
    // and to the left, its right face at the camera and to the right. The light is on the left.
    const cube = object('cube', { kind: 'box', size: [0.4, 0.4, 0.4] }, [0, 0, 2], [0, Math.PI / 4, 0], [200, 100, 50]);
    const { rgb, depth } = renderScene(scene([cube], { lightDirection: [-1, 0, 0], ambient: 0.2 }), straightView(cam));
    const pixel = (u: number, v: number): number[] => [...rgb.data.subarray((v * 201 + u) * 3, (v * 201 + u) * 3 + 3)];
    const lit = 0.2 + 0.8 * Math.SQRT1_2;
    expect(pixel(90, 100)).to.deep.equal([Math.round(200 * lit), Math.round(100 * lit), Math.round(50 * lit)]);
    expect(pixel(110, 100)).to.deep.equal([40, 20, 10]);
    // The nearest edge is the vertical one through the centre column.
    expect(depth.data[100 * 201 + 100]).to.be.closeTo(2 - 0.2 * Math.SQRT2, 1e-6);
    expect(depth.data[100 * 201 + 90]).to.be.greaterThan(depth.data[100 * 201 + 100]);
    expect(depth.data[100 * 201 + 110]).to.equal(depth.data[100 * 201 + 90]);

    // A sphere lit from above the image is brighter in its upper half, and ambient-only facing away.
    const ball = renderScene(scene([object('ball', { kind: 'sphere', radius: 0.1 }, [0, 0, 1])], { lightDirection: [0, -1, 0], ambient: 0.2 }), straightView(cam));
    const red = (u: number, v: number): number => ball.rgb.data[(v * 201 + u) * 3];
    expect(red(100, 85)).to.be.greaterThan(red(100, 95));
    expect(red(100, 95)).to.be.greaterThan(red(100, 100));
    expect(red(100, 100)).to.equal(40); // normal at right angles to the light: ambient only
    expect(red(100, 110)).to.equal(40);
  });

  it('draws the side silhouettes of a cylinder and a capsule at the widths the pinhole model gives', () => {
    const cam = camera(201, 201, 200);
    const d = 1;
    const r = 0.1;
    const upright: V3 = [Math.PI / 2, 0, 0]; // local z along world -y: vertical in the image
    const cylinder = renderScene(scene([object('cyl', { kind: 'cylinder', radius: r, height: 0.4 }, [0, 0, d], upright)]), straightView(cam));
    const capsule = renderScene(scene([object('cap', { kind: 'capsule', radius: r, length: 0.4 }, [0, 0, d], upright)]), straightView(cam));
    // Seen across its axis, each row cuts the round section: half-width f r / sqrt(d^2 - r^2) = 20.1 px.
    for (const dv of [0, 20, -20, 36, -36]) {
      expect(hitsAlongRow(cylinder.objectIndex, 201, 100 + dv), `cylinder row ${dv}`).to.deep.equal(Array.from({ length: 41 }, (_, i) => 80 + i));
      expect(hitsAlongRow(capsule.objectIndex, 201, 100 + dv), `capsule row ${dv}`).to.deep.equal(Array.from({ length: 41 }, (_, i) => 80 + i));
    }
    expect(cylinder.depth.data[100 * 201 + 100]).to.be.closeTo(d - r, 1e-6);
    expect(cylinder.depth.data[100 * 201 + 112]).to.be.closeTo(circleDepth(12 / 200, d, r), 1e-6);
    expect(capsule.depth.data[100 * 201 + 112]).to.equal(cylinder.depth.data[100 * 201 + 112]);

    // Vertically the cylinder ends at its near rim (y = 0.2 at z = 0.9: 44.4 px), the capsule at
    // its caps' tangent: atan(0.2) + asin(r / |centre|) off the axis.
    const cylinderTop = (200 * 0.2) / (d - r);
    const capTop = 200 * Math.tan(Math.atan(0.2 / d) + Math.asin(r / Math.hypot(0.2, d)));
    expect(capTop).to.be.closeTo(60.9, 0.1);
    const column = (result: typeof cylinder): number[] => hitsAlongColumn(result.objectIndex, 201, 201, 100);
    expect(column(cylinder)).to.deep.equal(Array.from({ length: 2 * Math.floor(cylinderTop) + 1 }, (_, i) => 100 - Math.floor(cylinderTop) + i));
    expect(column(capsule)).to.deep.equal(Array.from({ length: 2 * Math.floor(capTop) + 1 }, (_, i) => 100 - Math.floor(capTop) + i));
    // Beyond the body's reach the column meets the cap sphere around (0, -0.2, d), farther away.
    const yc = -55 / 200;
    const along = (-0.2 * yc + d) / (yc * yc + 1);
    const capDepth = along - Math.sqrt(along * along - (0.04 + d * d - r * r) / (yc * yc + 1));
    expect(capsule.depth.data[(100 - 55) * 201 + 100]).to.be.closeTo(capDepth, 1e-6).and.greaterThan(d - r + 0.01);
    expect(cylinder.objectIndex[(100 - 55) * 201 + 100]).to.equal(-1);

    // End-on, a cylinder is a disc at the constant depth of its cap.
    const endOn = renderScene(scene([object('cyl', { kind: 'cylinder', radius: r, height: 0.4 }, [0, 0, d])]), straightView(cam));
    const capRadius = (200 * r) / (d - 0.2);
    for (let v = 0; v < 201; v++) {
      for (let u = 0; u < 201; u++) {
        const inside = (u - 100) ** 2 + (v - 100) ** 2 <= capRadius * capRadius;
        expect(endOn.objectIndex[v * 201 + u], `pixel ${u},${v}`).to.equal(inside ? 0 : -1);
        if (inside) expect(endOn.depth.data[v * 201 + u]).to.be.closeTo(0.8, 1e-6);
      }
    }
    // Its cap faces the camera and the light behind it (light direction [0, 0, -1]): full colour.
    expect([...endOn.rgb.data.subarray((100 * 201 + 100) * 3, (100 * 201 + 100) * 3 + 3)]).to.deep.equal([200, 100, 50]);
  });

  it('draws an object that reaches behind the camera where it is in front', () => {
    const cam = camera(201, 201, 200);
    // A floor 0.45 m below the camera (image y is down), from 2 m behind to 2 m ahead.
    const floor = object('floor', { kind: 'box', size: [4, 0.1, 4] }, [0, 0.5, 0]);
    const { depth, objectIndex } = renderScene(scene([floor]), straightView(cam));
    for (const dv of [46, 50, 100]) {
      // Row dv sees the plane y = 0.45 at z = 0.45 / (dv / f), within the floor from dv = 45 on.
      const z = 0.45 / (dv / 200);
      for (const u of [0, 100, 200]) {
        const i = (100 + dv) * 201 + u;
        expect(objectIndex[i], `row ${dv} u ${u}`).to.equal(0);
        expect(depth.data[i]).to.be.closeTo(z, 1e-5);
      }
    }
    // Rows above see past its far edge (its end faces look away from the camera).
    const column = hitsAlongColumn(objectIndex, 201, 201, 100);
    expect(column).to.have.length.within(55, 56);
    expect(column[column.length - 1]).to.equal(200);
    expect(objectIndex[(100 + 44) * 201 + 100]).to.equal(-1);
  });

  it('puts every seen pixel on the surface of its object, with nothing nearer along the ray', () => {
    const cam = camera(128, 96, 110);
    const objects = tabletop();
    const view = { camera: cam, worldFromCamera: TABLE_VIEW };
    const { depth, objectIndex } = renderScene(scene(objects), view);
    const fromWorld = objects.map((o) => invert(new Float64Array(12), o.pose));
    const distanceTo = (j: number, p: { x: number; y: number; z: number }): number => signedDistance(objects[j].shape, applyToPoint(fromWorld[j], p));
    const seen = new Set<number>();
    const offSurface: string[] = [];
    const blocked: string[] = [];
    let checked = 0;
    for (let v = 0; v < 96; v += 2) {
      for (let u = 0; u < 128; u += 2) {
        const i = v * 128 + u;
        const k = objectIndex[i];
        const ray = cam.pixelToRay(u, v);
        const z = depth.data[i];
        if (k >= 0) {
          seen.add(k);
          const p = applyToPoint(TABLE_VIEW, { x: ray.x * z, y: ray.y * z, z });
          const distance = distanceTo(k, p);
          if (!(Math.abs(distance) < 2e-5) && offSurface.length < 5) offSurface.push(`pixel ${u},${v}: ${distance} from ${objects[k].id}`);
        } else if (!Number.isNaN(z) && offSurface.length < 5) {
          offSurface.push(`pixel ${u},${v}: depth ${z} with no object`);
        }
        // March the ray up to the hit (or 3 m): no object may contain a point before it.
        const end = k >= 0 ? Math.min(z - 2e-3, 3) : 3;
        for (let t = 0.05; t < end; t += 5e-3) {
          const p = applyToPoint(TABLE_VIEW, { x: ray.x * t, y: ray.y * t, z: t });
          checked++;
          for (let j = 0; j < objects.length; j++) {
            if (distanceTo(j, p) < -1e-3 && blocked.length < 5) blocked.push(`pixel ${u},${v} at z ${t.toFixed(3)} inside ${objects[j].id}`);
          }
        }
      }
    }
    expect(offSurface).to.deep.equal([]);
    expect(blocked).to.deep.equal([]);
    expect(checked).to.be.greaterThan(100_000);
    expect(seen.size).to.be.greaterThanOrEqual(10);
  });

  it('shadows what another object hides from the light, when asked to', () => {
    const cam = camera(160, 120, 150);
    const floor = object('floor', { kind: 'box', size: [2, 2, 0.1] }, [0, 0, -0.05], [0, 0, 0], [100, 200, 100]);
    const render = (objects: SceneObject[], light: V3, eye: V3, target: V3) => {
      const worldFromCamera = lookAt(eye, target);
      const view = { camera: cam, worldFromCamera };
      const base = scene(objects, { lightDirection: light, ambient: 0.25 });
      const cameraFromWorld = invert(new Float64Array(12), worldFromCamera);
      return {
        plain: renderScene(base, view),
        shadowed: renderScene({ ...base, shadows: true }, view),
        pixelOf: (p: V3): number => {
          const px = cam.project(applyToPoint(cameraFromWorld, { x: p[0], y: p[1], z: p[2] }))!;
          return Math.round(px.v) * 160 + Math.round(px.u);
        },
      };
    };
    const colour = (image: { rgb: { data: Uint8Array } }, i: number): number[] => [...image.rgb.data.subarray(i * 3, i * 3 + 3)];

    // A ball floating above the floor, the light straight above.
    const ball = object('ball', { kind: 'sphere', radius: 0.05 }, [0, 0, 0.3], [0, 0, 0], [200, 0, 0]);
    const above = render([floor, ball], [0, 0, 1], [1, 0, 0.8], [0, 0, 0]);
    const under = above.pixelOf([0, 0, 0]); // straight below the ball
    const beside = above.pixelOf([0.2, 0.1, 0]);
    for (const i of [under, beside]) {
      expect(above.plain.objectIndex[i]).to.equal(0);
      expect(above.shadowed.objectIndex[i]).to.equal(0);
    }
    expect(colour(above.plain, under)).to.deep.equal([100, 200, 100]);
    expect(colour(above.shadowed, under)).to.deep.equal([25, 50, 25]);
    expect(colour(above.shadowed, beside)).to.deep.equal([100, 200, 100]);
    // Only floor pixels darken: the ball's lit side is never shaded by the ball itself.
    let darkened = 0;
    for (let i = 0; i < 160 * 120; i++) {
      if (above.plain.rgb.data[i * 3 + 1] !== above.shadowed.rgb.data[i * 3 + 1]) {
        darkened++;
        expect(above.shadowed.objectIndex[i]).to.equal(0);
      }
    }
    expect(darkened).to.be.greaterThan(20);
    expect(Buffer.from(above.shadowed.depth.data.buffer).equals(Buffer.from(above.plain.depth.data.buffer))).to.equal(true);

    // A wall 0.3 m tall, the light slanting down from +x (0.6, 0, 0.8): a 0.225 m shadow on its -x side.
    const wall = object('wall', { kind: 'box', size: [0.04, 0.3, 0.3] }, [0, 0, 0.15], [0, 0, 0], [200, 200, 200]);
    const slant = render([floor, wall], [0.6, 0, 0.8], [-1, 0.6, 0.9], [-0.1, 0, 0]);
    const lit = [100, 200, 100].map((c) => Math.round(c * (0.25 + 0.75 * 0.8)));
    const shade = [25, 50, 25];
    for (const [x, want] of [[-0.04, shade], [-0.12, shade], [-0.2, shade], [-0.28, lit], [-0.4, lit]] as const) {
      const i = slant.pixelOf([x, 0, 0]);
      expect(slant.shadowed.objectIndex[i], `floor at x ${x}`).to.equal(0);
      expect(colour(slant.shadowed, i), `floor at x ${x}`).to.deep.equal(want);
      expect(colour(slant.plain, i)).to.deep.equal(lit);
    }
  });

  it('renders the same scene to identical bytes every time, in fresh buffers', () => {
    const cam = camera(320, 240, 300);
    for (const shadows of [false, true]) {
      const s = scene(tabletop(), { lightDirection: [0.3, 0.2, 0.93], shadows });
      const view = { camera: cam, worldFromCamera: TABLE_VIEW };
      const first = renderScene(s, view);
      const second = renderScene(s, view);
      expect(second.rgb.data).to.not.equal(first.rgb.data);
      expect(Buffer.from(second.rgb.data).equals(Buffer.from(first.rgb.data))).to.equal(true);
      expect(Buffer.from(second.depth.data.buffer).equals(Buffer.from(first.depth.data.buffer))).to.equal(true);
      expect(Buffer.from(second.objectIndex.buffer).equals(Buffer.from(first.objectIndex.buffer))).to.equal(true);
      // A different-sized frame in between leaves the next one unchanged.
      renderScene(s, { camera: camera(64, 64, 60), worldFromCamera: TABLE_VIEW });
      const third = renderScene(s, view);
      expect(Buffer.from(third.rgb.data).equals(Buffer.from(first.rgb.data))).to.equal(true);
    }
  });

  it('renders at 128x128 and 224x224 the same scene it renders at 640x480', () => {
    const s = scene(tabletop(), { lightDirection: [0.3, 0.2, 0.93] });
    const big = renderScene(s, { camera: camera(640, 480, 600), worldFromCamera: TABLE_VIEW });
    expect(big.rgb.data.length).to.equal(640 * 480 * 3);
    for (const size of [128, 224]) {
      // The same field of view horizontally (focal length scaled with the width).
      const cam = camera(size, size, (600 * size) / 640);
      const small = renderScene(s, { camera: cam, worldFromCamera: TABLE_VIEW });
      expect(small.rgb).to.include({ width: size, height: size });
      expect(small.rgb.data.length).to.equal(size * size * 3);
      expect(small.depth.data.length).to.equal(size * size);
      expect(small.objectIndex.length).to.equal(size * size);
      const c = (size / 2) * size + size / 2;
      expect(small.objectIndex[c]).to.be.within(0, 11);
      // The ray through the small image's centre passes (nearly) through the big image's centre.
      const bigCentre = 240 * 640 + 320;
      expect(small.objectIndex[c]).to.equal(big.objectIndex[bigCentre]);
      expect(small.depth.data[c]).to.be.closeTo(big.depth.data[bigCentre], 0.02);
      const seen = new Set(small.objectIndex);
      expect(seen.has(0) && seen.has(-1)).to.equal(true);
    }
  });

  it('rejects bad sizes, shapes and light settings', () => {
    const cam = camera(32, 32, 30);
    expect(() => renderScene(scene([]), { camera: new PinholeCamera(30, 30, 16, 16, 0, 32), worldFromCamera: identity() })).to.throw(RangeError, /camera size/);
    expect(() => renderScene(scene([object('s', { kind: 'sphere', radius: 0 }, [0, 0, 1])]), straightView(cam))).to.throw(RangeError, /radius.*got 0/);
    expect(() => renderScene(scene([object('b', { kind: 'box', size: [1, NaN, 1] }, [0, 0, 1])]), straightView(cam))).to.throw(RangeError, /size\[1\]/);
    expect(() => renderScene(scene([], { ambient: 1.5 }), straightView(cam))).to.throw(RangeError, /ambient/);
    const badPose: Transform = fromXyzRpy([0, 0, 1], [0, 0, 0]);
    badPose[3] = Infinity;
    expect(() => renderScene(scene([{ id: 'x', shape: { kind: 'sphere', radius: 1 }, pose: badPose, color: [1, 2, 3] }]), straightView(cam))).to.throw(RangeError, /pose/);
  });
});

describe('sim/render: lookAt', () => {
  const column = (t: Transform, c: number): V3 => [t[c], t[4 + c], t[8 + c]];
  const dot = (a: V3, b: V3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

  it('gives an upright optical frame whose z points at the target', () => {
    const eye: V3 = [1.2, -0.4, 0.9];
    const target: V3 = [0.4, 0.1, 0.05];
    const t = lookAt(eye, target);
    const [x, y, z] = [column(t, 0), column(t, 1), column(t, 2)];
    const distance = Math.hypot(target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]);
    for (let i = 0; i < 3; i++) expect(z[i]).to.be.closeTo((target[i] - eye[i]) / distance, 1e-12);
    expect([t[3], t[7], t[11]]).to.deep.equal(eye);
    // Orthonormal and right-handed (x right, y down, z forward: x cross y = z).
    for (const [a, b, want] of [[x, x, 1], [y, y, 1], [z, z, 1], [x, y, 0], [y, z, 0], [x, z, 0]] as const) {
      expect(dot(a, b)).to.be.closeTo(want, 1e-12);
    }
    cross(x, y).forEach((value, i) => expect(value).to.be.closeTo(z[i], 1e-12));
    // Upright: image x is horizontal, image y has a downward world component.
    expect(x[2]).to.be.closeTo(0, 1e-12);
    expect(y[2]).to.be.lessThan(0);
    const cameraFromWorld = invert(new Float64Array(12), t);
    const seen = applyToPoint(cameraFromWorld, { x: target[0], y: target[1], z: target[2] });
    expect(seen.x).to.be.closeTo(0, 1e-12);
    expect(seen.y).to.be.closeTo(0, 1e-12);
    expect(seen.z).to.be.closeTo(distance, 1e-12);
    // A point above the target appears above the image centre.
    expect(applyToPoint(cameraFromWorld, { x: target[0], y: target[1], z: target[2] + 0.1 }).y).to.be.lessThan(0);
  });

  it('centres a sphere at the target in the rendered image', () => {
    const cam = camera(200, 150, 180); // principal point between pixels, at (99.5, 74.5)
    const target: V3 = [0.4, 0.1, 0.05];
    const { objectIndex } = renderScene(scene([object('ball', { kind: 'sphere', radius: 0.05 }, target)]), { camera: cam, worldFromCamera: lookAt([1.2, -0.4, 0.9], target) });
    let n = 0;
    let su = 0;
    let sv = 0;
    for (let v = 0; v < 150; v++) {
      for (let u = 0; u < 200; u++) {
        if (objectIndex[v * 200 + u] === 0) {
          n++;
          su += u;
          sv += v;
        }
      }
    }
    expect(n).to.be.greaterThan(50);
    expect(su / n).to.be.closeTo(99.5, 0.05);
    expect(sv / n).to.be.closeTo(74.5, 0.05);
  });

  it('looks straight down or up with image up along world +x, and rejects eye = target', () => {
    const down = lookAt([0.5, 0, 1], [0.5, 0, 0]);
    expect(column(down, 2)).to.deep.equal([0, 0, -1]);
    column(down, 1).forEach((value, i) => expect(value).to.be.closeTo([-1, 0, 0][i], 1e-12)); // image down = world -x
    column(down, 0).forEach((value, i) => expect(value).to.be.closeTo([0, -1, 0][i], 1e-12));
    const up = lookAt([0, 0, 0], [0, 0, 2]);
    column(up, 1).forEach((value, i) => expect(value).to.be.closeTo([-1, 0, 0][i], 1e-12));
    expect(() => lookAt([1, 2, 3], [1, 2, 3])).to.throw(RangeError, /distinct/);
  });
});
