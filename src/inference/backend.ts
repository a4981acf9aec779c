/**
 * The interface every reasoning backend implements (create_backend.ts picks one from a manifest).
 */
import type { ModelManifest } from '../core/model/manifest.js';
import type { BackendInput, BackendOutput } from '../core/model/types.js';

export interface ReasoningBackend {
  readonly manifest: ModelManifest;
  /** Reasons about one frame: depth tokens, a trace (planned or overridden) and an action chunk. */
  step(input: BackendInput): Promise<BackendOutput>;
  /** Frees the model; the backend must not be used afterwards. */
  dispose(): Promise<void>;
}

/** How a remote backend reaches its server. */
export interface RemoteOptions {
  /** scheme://host:port replacing the manifest's server ('' keeps it). */
  server?: string;
  /** A request with no complete answer after this long is aborted. */
  timeoutMs?: number;
  /** Longest pause between failed requests. */
  backoffMaxMs?: number;
}

export interface BackendOptions {
  /**
   * Threads for one inference call. Default 1: on a small robot computer the other cores are
   * needed by the ROS executor and the image pipeline. 0 lets the runtime use all cores.
   */
  intraOpThreads?: number;
  /**
   * Let the runtime's pool threads spin after each call, waiting for the next one (default
   * false). Spinning trims the wake-up of those threads but keeps cores busy that the image
   * resize, the ROS executor and the middleware need between calls: with two threads on two
   * cores it made the bundled model's steps about twice as long (README, Benchmarks). Worth
   * turning on only where the inference has cores of its own.
   */
  spinWait?: boolean;
  /** Remote models: the server, the request timeout and the back-off after failures. */
  remote?: RemoteOptions;
}
