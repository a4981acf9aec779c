/**
 * One JSON request to a model server, with every way it can go wrong turned into a RemoteError
 * whose `code` says which: the request is aborted past its timeout, the answer is read with a
 * size limit, and a server that hangs up mid-answer or sends something that is not JSON is
 * reported as such. Node's built-in fetch does the HTTP.
 */

/** Why a request gave no usable answer. */
export type RemoteFailure =
  /** No answer within the timeout; the request was aborted. */
  | 'timeout'
  /** The server could not be reached (refused, unknown host, reset before an answer). */
  | 'connection'
  /** The server answered with an HTTP error status. */
  | 'http'
  /** The connection broke while the answer was being read. */
  | 'disconnected'
  /** The answer is not what the protocol says (not JSON, fields missing, an error object). */
  | 'protocol'
  /** The answer was complete and well-formed, but its content is refused (see the parsers). */
  | 'rejected'
  /** No request was made: the server failed a moment ago and requests are paused (back-off). */
  | 'backoff';

export class RemoteError extends Error {
  override name = 'RemoteError';
  constructor(
    readonly code: RemoteFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface JsonRequest {
  url: string;
  /** The request body, already JSON text. */
  body: string;
  timeoutMs: number;
  /** Answers longer than this are refused (a model's answer is kilobytes; a chunk a few more). */
  maxResponseBytes?: number;
}

export interface JsonAnswer {
  status: number;
  json: unknown;
  /** The answer's text, to quote in errors. */
  text: string;
  /** From sending the request to the last byte of the answer. */
  roundTripMs: number;
}

const DEFAULT_MAX_RESPONSE = 16 * 1024 * 1024;

/** POSTs JSON and reads a JSON answer. HTTP error statuses throw, quoting the answer. */
export async function postJson(request: JsonRequest): Promise<JsonAnswer> {
  const started = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  const seconds = (request.timeoutMs / 1000).toFixed(1);
  try {
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: request.body,
        signal: controller.signal,
      });
    } catch (err) {
      if (controller.signal.aborted) throw new RemoteError('timeout', `no answer from ${request.url} within ${seconds} s (remote_timeout_s)`);
      throw new RemoteError('connection', `cannot reach ${request.url}: ${causeOf(err)}`);
    }
    let text: string;
    try {
      text = await readLimited(response, request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE);
    } catch (err) {
      if (err instanceof RemoteError) throw err;
      if (controller.signal.aborted) throw new RemoteError('timeout', `the answer from ${request.url} did not finish within ${seconds} s (remote_timeout_s)`);
      throw new RemoteError('disconnected', `the connection to ${request.url} broke during the answer: ${causeOf(err)}`);
    }
    const roundTripMs = performance.now() - started;
    if (!response.ok) {
      throw new RemoteError('http', `${request.url} answered HTTP ${response.status} ${response.statusText}: ${quote(text)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RemoteError('protocol', `${request.url} answered with something that is not JSON: ${quote(text)}`);
    }
    return { status: response.status, json, text, roundTripMs };
  } finally {
    clearTimeout(timer);
  }
}

/** Reads the body as UTF-8, refusing more than `limit` bytes. */
async function readLimited(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > limit) {
    await response.body?.cancel();
    throw new RemoteError('protocol', `the answer is ${declared} bytes, more than the ${limit} a model answer may have`);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > limit) {
      await response.body.cancel().catch(() => undefined);
      throw new RemoteError('protocol', `the answer is longer than the ${limit} bytes a model answer may have`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The innermost reason of a fetch failure (undici wraps it in "fetch failed"). */
function causeOf(err: unknown): string {
  let e = err as { message?: string; code?: string; cause?: unknown } | undefined;
  while (e && typeof e.cause === 'object' && e.cause !== null) e = e.cause as typeof e;
  const code = e?.code ? `${e.code}: ` : '';
  return `${code}${e?.message ?? String(err)}`;
}

/** The start of a text, for an error message. */
export function quote(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}
