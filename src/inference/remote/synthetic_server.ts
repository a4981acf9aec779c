/**
 * A synthetic model server: speaks a remote manifest's protocol over real HTTP on this machine and
 * answers with made-up reasoning, written the way the real servers write theirs. It stands in for
 * a GPU server in the tests, the benchmark (`bench --model <remote manifest>`) and
 * `molmoact-ros serve-synthetic`, so that the whole remote path can be tried without a GPU.
 * Its answers mean nothing about the scene: small moves around where the arm is.
 *
 * It can also misbehave on purpose (`fault`), as real servers do: stall, fail, send garbage, hang
 * up mid-answer, cut an answer short, or send actions that must be refused.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RemoteManifest } from '../../core/model/manifest.js';
import { ActionTokenReader, QWEN2_ACTION_TABLE } from '../../core/model/action_tokens.js';
import { decodeNdArray, encodeFloat32, isEncodedNdArray } from './json_numpy.js';
import { formatAnswer, type AnswerWording } from './molmoact_answer_format.js';

export const FAULTS = [
  'none',
  /** Accept the request and never answer (until the server closes). */
  'stall',
  /** HTTP 500 with an error object, as MolmoAct2's servers report a failed inference. */
  'http_error',
  /** HTTP 200 with a body that is not JSON. */
  'garbage',
  /** Start the answer, then close the connection. */
  'disconnect',
  /** molmoact-text: an answer cut at max_tokens (finish_reason "length"). */
  'truncated',
  /** molmoact-text: one action value that is not an action string. */
  'unknown_token',
  /** One action with a value too few. */
  'wrong_dim',
  /** act-json: a NaN in the chunk. */
  'not_finite',
  /** act-json: a value far outside any bounds. */
  'out_of_bounds',
  /** molmoact-text: the depth map left out. */
  'no_depth',
] as const;
export type Fault = (typeof FAULTS)[number];

export interface SyntheticServerOptions {
  manifest: RemoteManifest;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Time taken to "think" before each answer. */
  delayMs?: number;
  fault?: Fault;
  /** molmoact-text: the answer's wording (default: by the number of cameras). */
  wording?: AnswerWording;
}

export interface ReceivedRequest {
  path: string;
  body: unknown;
}

export class SyntheticServer {
  fault: Fault;
  delayMs: number;
  /** The requests received, newest last (the last 20). */
  readonly requests: ReceivedRequest[] = [];
  /** The server's own time for the last answer: from the request's headers to the answer written (ms). */
  lastHandlingMs = 0;
  private readonly tokens = new ActionTokenReader(QWEN2_ACTION_TABLE);
  private answered = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: SyntheticServerOptions,
  ) {
    this.fault = options.fault ?? 'none';
    this.delayMs = options.delayMs ?? 0;
  }

  static async start(options: SyntheticServerOptions): Promise<SyntheticServer> {
    let self: SyntheticServer | null = null;
    const server = createServer((req, res) => void self?.handle(req, res));
    self = new SyntheticServer(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    return self;
  }

  /** scheme://host:port, as the node's remote_server parameter takes it. */
  get url(): string {
    const address = this.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  get answers(): number {
    return this.answered;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const received = performance.now();
    const remote = this.options.manifest.remote;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== remote.path) {
      return send(res, 404, { error: `no route ${req.method} ${req.url}; this server answers POST ${remote.path}` });
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { error: 'the request body is not JSON' });
    }
    this.requests.push({ path: req.url, body });
    if (this.requests.length > 20) this.requests.shift();

    if (this.fault === 'stall') return; // the connection stays open until the server closes
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (res.destroyed) return;
    switch (this.fault) {
      case 'http_error':
        return send(res, 500, { error: 'inference failed: CUDA out of memory (synthetic)' });
      case 'garbage':
        res.writeHead(200, { 'content-type': 'text/html' });
        return void res.end('<html><body>502 Bad Gateway</body></html>');
      case 'disconnect':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        res.write('{"choices": [{"message": {"content": "The depth map');
        return void setTimeout(() => res.destroy(), 5);
      default:
        break;
    }
    this.answered++;
    try {
      send(res, 200, remote.protocol === 'molmoact-text' ? this.chatAnswer(body) : this.actAnswer(body));
    } catch (err) {
      send(res, 400, { error: (err as Error).message });
    }
    this.lastHandlingMs = performance.now() - received;
  }

  /** A chat-completions response whose text is a MolmoAct answer. */
  private chatAnswer(body: unknown): unknown {
    const m = this.options.manifest;
    const content = (body as { messages?: { content?: { type: string; text?: string }[] }[] }).messages?.[0]?.content ?? [];
    const prompt = content.find((part) => part.type === 'text')?.text ?? '';
    const steered = /annotated on/.test(prompt);
    const wording: AnswerWording = steered ? 'steered' : (this.options.wording ?? (m.cameras.length > 1 ? 'first_image' : 'single_image'));
    const depth = m.depth ?? { rows: 10, cols: 10, codebook: 128 };
    const n = this.answered;
    const normalised = Array.from({ length: m.action.chunk }, (_, s) =>
      Array.from({ length: m.action.dim }, (_, j) => (j === m.action.gripper ? 1 : 0.05 * Math.sin(n + s + j))),
    );
    let text = formatAnswer(
      {
        depthTokens: Array.from({ length: depth.rows * depth.cols }, (_, i) => (i * 7 + n) % depth.codebook),
        trace: { x: [128, 140, 152, 164, 176], y: [200, 180, 160, 140, 120] },
        normalised,
      },
      wording,
      this.tokens,
    );
    let finish = 'stop';
    if (this.fault === 'truncated') {
      text = text.slice(0, Math.floor(text.length / 2));
      finish = 'length';
    } else if (this.fault === 'unknown_token') {
      text = text.replace(/\[[^\x00-\x7f][^[\]\s,]*,/, '[xyz€,');
    } else if (this.fault === 'wrong_dim') {
      text = text.replace(/\[[^\x00-\x7f][^[\]\s,]*, /, '[');
    } else if (this.fault === 'no_depth') {
      text = text.replace(/<DEPTH_START>[\s\S]*<DEPTH_END>/, 'unknown');
    }
    return {
      id: `synthetic-${n}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: m.remote.protocol === 'molmoact-text' ? m.remote.text.model : m.name,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }],
    };
  }

  /** An `/act` answer: a chunk that stays near the state the request gave. */
  private actAnswer(body: unknown): unknown {
    const m = this.options.manifest;
    if (m.remote.protocol !== 'act-json') throw new Error('not an act-json model');
    const spec = m.remote.act;
    const request = body as Record<string, unknown>;
    for (const key of spec.imageKeys) {
      if (!isEncodedNdArray(request[key])) throw new Error(`missing required field: '${key}'`);
      decodeNdArray(request[key], key);
    }
    const state = spec.stateKey ? Array.from(decodeNdArray(request[spec.stateKey], spec.stateKey).values) : [];
    const { dim, chunk, gripper, space, bounds } = m.action;
    const rows = Array.from({ length: chunk }, (_, s) =>
      Array.from({ length: dim }, (_, j) => {
        if (j === gripper) return state[j] ?? 0;
        const step = 0.002 * (s + 1) * Math.cos(this.answered + j);
        return space === 'joint_position' ? (state[j] ?? 0) + step : step;
      }),
    );
    if (this.fault === 'not_finite') rows[0][0] = NaN;
    if (this.fault === 'out_of_bounds') rows[chunk - 1][0] = (bounds?.max[0] ?? 0) + 10;
    const width = this.fault === 'wrong_dim' ? dim - 1 : dim;
    const flat = rows.flatMap((row) => row.slice(0, width));
    const answer: Record<string, unknown> = { [spec.actionsKey || 'actions']: encodeFloat32(flat, [chunk, width]) };
    if (spec.serverMsKey) answer[spec.serverMsKey] = this.delayMs;
    return spec.actionsKey === '' ? answer.actions : answer;
  }
}

function send(res: ServerResponse, status: number, json: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(json);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
