/**
 * The remote backend: a reasoning step is one HTTP request to a model server (MolmoAct through
 * vLLM's chat completions, or a MolmoAct2-style `/act` server), made from the reasoning worker so
 * that the ROS executor never waits on it.
 *
 * - One request at a time (the Reasoner keeps at most one step in flight).
 * - A request past the timeout is aborted. After a failure of the server (no answer, refused
 *   connection, HTTP error, broken connection, something that is not the protocol), requests
 *   pause for a back-off that doubles from 0.5 s up to the configured maximum; each step asked
 *   for meanwhile fails at once (code 'backoff') without a request. A good answer ends the back-off.
 * - An answer that is well formed but refused (an unknown action string, a wrong dimension, a cut
 *   answer, a value outside the manifest's bounds) fails the step; it is the model's, not the
 *   server's, so it does not pause the requests.
 */
import type { BackendOptions, ReasoningBackend, RemoteOptions } from '../backend.js';
import { checkActionBounds, checkTrace, decodeActionBins, OutputRejected, toRobotUnits } from '../../core/model/decode.js';
import type { ModelManifest, RemoteManifest } from '../../core/model/manifest.js';
import type { BackendInput, BackendOutput, RgbImage, TracePoints } from '../../core/model/types.js';
import { ActionTokenReader, QWEN2_ACTION_TABLE } from '../../core/model/action_tokens.js';
import { actRequest, readActAnswer } from './act_json.js';
import { CameraGeometry, encodeCameraImage, prepareCameraImage } from '../../media/camera_image.js';
import { JsonClient, RemoteError } from './http.js';
import { ScratchBuffers } from '../../media/base64.js';
import { parseMolmoActAnswer } from '../../core/model/molmoact_answer.js';
import { answerText, chatRequest, promptFor } from './molmoact_text.js';

const FIRST_BACKOFF_MS = 500;
/** Failures that say the server is in trouble (as opposed to an answer that is refused). */
const SERVER_TROUBLE = new Set(['timeout', 'connection', 'http', 'disconnected', 'protocol']);

export class RemoteBackend implements ReasoningBackend {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly backoffMaxMs: number;
  private backoffMs = 0;
  private retryAt = 0;
  private readonly tokens = new ActionTokenReader(QWEN2_ACTION_TABLE);
  private readonly client = new JsonClient();
  /** Buffers the images are encoded into, kept from one step to the next (a request is sent before the next step starts). */
  private readonly scratch = new ScratchBuffers();

  constructor(
    readonly manifest: RemoteManifest,
    options: RemoteOptions = {},
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.url = `${options.server ? serverAddress(options.server) : manifest.remote.server}${manifest.remote.path}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.backoffMaxMs = options.backoffMaxMs ?? 10_000;
  }

  static load(manifest: ModelManifest, options: BackendOptions = {}): RemoteBackend {
    if (manifest.backend !== 'remote') throw new Error(`${manifest.file}: not a remote model (backend '${manifest.backend}')`);
    return new RemoteBackend(manifest, options.remote);
  }

  async step(input: BackendInput): Promise<BackendOutput> {
    const waitMs = this.retryAt - this.clock();
    if (waitMs > 0) {
      throw new RemoteError('backoff', `no request to ${this.url} for another ${(waitMs / 1000).toFixed(1)} s after a failure (back-off)`);
    }
    try {
      const output = this.manifest.remote.protocol === 'molmoact-text' ? await this.stepText(input) : await this.stepAct(input);
      this.backoffMs = 0;
      this.retryAt = 0;
      return output;
    } catch (err) {
      if (err instanceof RemoteError && SERVER_TROUBLE.has(err.code)) {
        this.backoffMs = Math.min(this.backoffMaxMs, this.backoffMs === 0 ? FIRST_BACKOFF_MS : this.backoffMs * 2);
        this.retryAt = this.clock() + this.backoffMs;
      }
      throw err;
    }
  }

  async dispose(): Promise<void> {
    this.client.close();
  }

  private async stepText(input: BackendInput): Promise<BackendOutput> {
    const m = this.manifest;
    if (m.remote.protocol !== 'molmoact-text') throw new Error('unreachable');
    const spec = m.remote.text;
    const timings: Record<string, number> = {};
    let t = performance.now();
    const steered = input.traceOverride !== undefined;
    if (steered && (spec.prompt.steer === null || !m.trace)) {
      throw new OutputRejected(`model ${m.name} cannot be steered: its manifest has no steering prompt (remote.prompt.steer) or trace section`);
    }
    const frames = this.cameraFrames(input);
    const first = new CameraGeometry(m.cameras[0], input.rgb.width, input.rgb.height);
    if (steered) checkTrace(input.traceOverride!, m.trace!.points);
    // The steering trace is drawn on the first image only, as in training.
    const overlay = steered ? { trace: first.toModel(input.traceOverride!), line: spec.traceLine } : undefined;
    const images = await Promise.all(
      m.cameras.map((camera, i) => encodeCameraImage(frames[i], camera, spec.imageFormat, this.scratch, `camera${i}`, i === 0 ? overlay : undefined)),
    );
    const body = chatRequest(spec, promptFor(spec, input.instruction, steered), images);
    timings.encode = lap();

    const answer = await this.client.post({ url: this.url, body, timeoutMs: this.timeoutMs });
    timings.server = lap();

    const text = answerText(answer.json, this.url);
    const parsed = parseMolmoActAnswer(
      text,
      {
        depth: m.depth,
        tracePoints: m.trace?.points ?? null,
        actionDim: m.action.dim,
        maxActions: m.action.chunk,
        requireReasoning: !steered,
      },
      this.tokens,
    );
    const actions = decodeActionBins(parsed.bins, m.action, m.statistics!);
    checkActionBounds(actions, m.action.bounds!);
    let trace: TracePoints;
    if (steered) trace = { x: [...input.traceOverride!.x], y: [...input.traceOverride!.y] };
    else trace = parsed.trace ? first.toFrame(parsed.trace) : { x: [], y: [] };
    timings.parse = lap();
    return { depthTokens: parsed.depthTokens, trace, traceOverridden: steered, actions: toRobotUnits(actions, m.action), timings, answer: text };

    function lap(): number {
      const now = performance.now();
      const ms = now - t;
      t = now;
      return ms;
    }
  }

  private async stepAct(input: BackendInput): Promise<BackendOutput> {
    const m = this.manifest;
    if (m.remote.protocol !== 'act-json') throw new Error('unreachable');
    const spec = m.remote.act;
    if (input.traceOverride) throw new OutputRejected(`model ${m.name} (act-json) takes no trace: steering is not available for it`);
    const timings: Record<string, number> = {};
    let t = performance.now();
    const images = await this.cameraImages(input);
    const body = actRequest(spec, { instruction: input.instruction, images, state: this.state(input.proprio) }, this.scratch);
    timings.encode = performance.now() - t;
    t = performance.now();
    const answer = await this.client.post({ url: this.url, body, timeoutMs: this.timeoutMs });
    timings.server = performance.now() - t;
    t = performance.now();
    const { actions, serverMs } = readActAnswer(spec, answer.json, this.url, m.action.dim);
    if (actions.length > m.action.chunk) {
      throw new OutputRejected(`the server sent ${actions.length} actions, at most ${m.action.chunk} expected (action.chunk)`);
    }
    checkActionBounds(actions, m.action.bounds!);
    timings.parse = performance.now() - t;
    if (serverMs !== null) timings.server_inference = serverMs;
    return { depthTokens: [], trace: { x: [], y: [] }, traceOverridden: false, actions: toRobotUnits(actions, m.action), timings };
  }

  /** The frame's images, one per camera of the manifest; the first is the main camera. */
  private cameraFrames(input: BackendInput): RgbImage[] {
    const frames = [input.rgb, ...(input.extraImages ?? [])];
    if (frames.length !== this.manifest.cameras.length) {
      throw new Error(`the model takes ${this.manifest.cameras.length} camera images, the frame has ${frames.length}`);
    }
    return frames;
  }

  /** Each camera's image as the manifest prepares it (raw RGB, in the scratch buffers). */
  private cameraImages(input: BackendInput): Promise<RgbImage[]> {
    const frames = this.cameraFrames(input);
    return Promise.all(
      this.manifest.cameras.map((camera, i) => prepareCameraImage(frames[i], camera, this.scratch.get(`camera${i}:pixels`, camera.width * camera.height * 3))),
    );
  }

  /** The robot state the server takes: the proprioception, with the gripper in the model's convention. */
  private state(proprio: Float32Array): Float32Array {
    const spec = this.manifest.proprio;
    if (proprio.length !== spec.dim) throw new Error(`proprio has ${proprio.length} values, the model expects ${spec.dim}`);
    const state = Float32Array.from(proprio);
    if (spec.gripper && spec.gripperConvention === 'closed_is_1') state[state.length - 1] = 1 - state[state.length - 1];
    return state;
  }
}

/** remote_server as scheme://host:port; anything else is refused when the model loads. */
function serverAddress(text: string): string {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    // refused below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash) {
    throw new Error(`remote_server: expected a server address such as http://gpu-box:8000 (scheme://host:port, no path), got ${JSON.stringify(text)}`);
  }
  return `${url.protocol}//${url.host}`;
}
