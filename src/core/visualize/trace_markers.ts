/**
 * The lifted visual trace as rviz markers, in the camera's optical frame at the frame's stamp, so
 * that tf places it where the camera saw it.
 */
import { emptyMarker, makeHeader, MarkerAction, MarkerType } from '../messages/builders.js';
import { durationFromSeconds } from '../messages/time.js';
import type { ColorRGBA, Marker, MarkerArray, Point, Time } from '../messages/types.js';

/** The part of a ReasoningStep the markers need. */
export interface TraceMarkerInput {
  stamp: Time;
  frameId: string;
  /** One entry per trace point, null where no depth was found. */
  trace3d: readonly (Point | null)[];
}

export interface TraceMarkerOptions {
  ns: string;
  /** Line strip width, metres. */
  lineWidth: number;
  /** Sphere diameter, metres. */
  pointScale: number;
  /** Colour of the line and of the first point. */
  colour: ColorRGBA;
  /** Colour of the last point; the spheres blend from `colour` to this. */
  endColour: ColorRGBA;
  /** Label height, metres. */
  textHeight: number;
  /** 0 keeps the markers until the next DELETEALL. */
  lifetimeSec: number;
}

export const DEFAULT_TRACE_MARKER_OPTIONS: TraceMarkerOptions = {
  ns: 'molmoact_trace',
  lineWidth: 0.005,
  pointScale: 0.015,
  colour: { r: 1, g: 0.55, b: 0, a: 1 },
  endColour: { r: 0.1, g: 0.45, b: 1, a: 1 },
  textHeight: 0.02,
  lifetimeSec: 0,
};

/** Marker ids: fixed for the line and spheres, then one per label. */
const LINE_ID = 1;
const SPHERES_ID = 2;
const FIRST_LABEL_ID = 3;

function mix(a: ColorRGBA, b: ColorRGBA, t: number): ColorRGBA {
  return { r: a.r + (b.r - a.r) * t, g: a.g + (b.g - a.g) * t, b: a.b + (b.b - a.b) * t, a: a.a + (b.a - a.a) * t };
}

/**
 * DELETEALL first (so points of the previous step vanish), then a LINE_STRIP through the valid
 * points (when there are at least two), a SPHERE_LIST of them and a text label per point. Labels
 * carry the point's index in the full trace, so they match the numbers on the trace image even when
 * points without depth are skipped.
 */
export function buildTraceMarkers(input: TraceMarkerInput, options: Partial<TraceMarkerOptions> = {}): MarkerArray {
  const o = { ...DEFAULT_TRACE_MARKER_OPTIONS, ...options };
  const lifetime = durationFromSeconds(o.lifetimeSec);
  const make = (id: number, type: number): Marker => {
    const m = emptyMarker();
    m.header = makeHeader(input.stamp, input.frameId);
    m.ns = o.ns;
    m.id = id;
    m.type = type;
    m.lifetime = { ...lifetime };
    return m;
  };

  const clear = make(0, MarkerType.ARROW);
  clear.action = MarkerAction.DELETEALL;
  const markers: Marker[] = [clear];

  const valid: { index: number; p: Point }[] = [];
  input.trace3d.forEach((p, index) => {
    if (p !== null && Number.isFinite(p.x) && Number.isFinite(p.y) && Number.isFinite(p.z)) valid.push({ index, p });
  });
  if (valid.length === 0) return { markers };

  if (valid.length >= 2) {
    const line = make(LINE_ID, MarkerType.LINE_STRIP);
    line.scale = { x: o.lineWidth, y: 0, z: 0 };
    line.color = { ...o.colour };
    line.points = valid.map(({ p }) => ({ x: p.x, y: p.y, z: p.z }));
    markers.push(line);
  }

  const spheres = make(SPHERES_ID, MarkerType.SPHERE_LIST);
  spheres.scale = { x: o.pointScale, y: o.pointScale, z: o.pointScale };
  spheres.color = { ...o.colour };
  spheres.points = valid.map(({ p }) => ({ x: p.x, y: p.y, z: p.z }));
  spheres.colors = valid.map((_, k) => mix(o.colour, o.endColour, valid.length > 1 ? k / (valid.length - 1) : 0));
  markers.push(spheres);

  valid.forEach(({ index, p }, k) => {
    const label = make(FIRST_LABEL_ID + k, MarkerType.TEXT_VIEW_FACING);
    // Optical frame: -y is up in the image, so the label floats just above its sphere.
    label.pose.position = { x: p.x, y: p.y - o.pointScale * 1.5, z: p.z };
    label.scale = { x: 0, y: 0, z: o.textHeight };
    label.color = { r: 1, g: 1, b: 1, a: 1 };
    label.text = String(index);
    markers.push(label);
  });
  return { markers };
}
