/**
 * One goal at a time on an action, and the helpers that read rclnodejs's answers as plain values.
 */
import type { GoalClient, GoalHandle, OutputLog, StatusValues } from './transport.js';

/** action_msgs/msg/GoalStatus values. */
const GoalStatus = { SUCCEEDED: 4, CANCELED: 5, ABORTED: 6 } as const;

interface GoalEntry {
  handle: GoalHandle | null;
  cancelRequested: boolean;
  done: boolean;
  /** The goal this one replaces: cancelled once this one is accepted. */
  replaces: GoalEntry | null;
}

/**
 * One goal at a time on an action: a new goal cancels the previous one. Every promise is
 * handled here, so a failing server shows up in the counters, never as an unhandled rejection.
 */
export class ActionGoals {
  private active: GoalEntry | null = null;
  /** The goal sent last: only its outcome, result and feedback are reported (older ones were replaced). */
  private latest: GoalEntry | null = null;
  private serverMissing = false;
  private lastOutcome = 'none';
  private lastFailure = '';
  private readonly counts = {
    goals_sent: 0,
    goals_accepted: 0,
    goals_rejected: 0,
    goals_succeeded: 0,
    goals_aborted: 0,
    goals_canceled: 0,
    server_unavailable: 0,
    failures: 0,
  };

  constructor(
    private readonly client: GoalClient,
    private readonly name: string,
    private readonly log: OutputLog,
    private readonly hooks: { onFeedback?(feedback: unknown): void; onResult?(result: unknown): void },
  ) {}

  /** False when the goal could not be sent (no server, or sending threw). */
  send(goal: object): boolean {
    if (!this.client.isActionServerAvailable()) {
      this.counts.server_unavailable++;
      this.lastOutcome = 'server unavailable';
      if (!this.serverMissing) this.log('warn', `action server ${this.name} is not available: goals are not sent until it is`);
      this.serverMissing = true;
      return false;
    }
    if (this.serverMissing) this.log('info', `action server ${this.name} is available again`);
    this.serverMissing = false;
    // The previous goal is cancelled only once the new one is accepted: joint_trajectory_controller
    // holds the arm still when its active goal is cancelled, but a new goal takes over without a
    // stop, after which cancelling the old one changes nothing on the arm.
    const previous = this.active && !this.active.done ? this.active : null;

    const entry: GoalEntry = { handle: null, cancelRequested: false, done: false, replaces: previous };
    let response: Promise<GoalHandle>;
    try {
      response = this.client.sendGoal(goal, (feedback) => this.onFeedback(entry, feedback));
    } catch (err) {
      this.fail('sending the goal', err);
      return false;
    }
    this.active = entry;
    this.latest = entry;
    this.counts.goals_sent++;
    this.lastOutcome = 'sent';
    response.then(
      (handle) => this.onResponse(entry, handle),
      (err: unknown) => this.onEnded(entry, () => this.fail('sending the goal', err)),
    );
    return true;
  }

  /** Whether a goal sent here has not ended yet. */
  get running(): boolean {
    return this.active !== null && !this.active.done;
  }

  /** Asks the server to cancel the running goal (also one not yet accepted: it is cancelled when it is). */
  cancel(): void {
    const entry = this.active;
    this.active = null;
    if (entry && !entry.done) this.requestCancel(entry);
  }

  status(): StatusValues {
    return {
      ...this.counts,
      goal_active: this.running,
      last_outcome: this.lastOutcome,
      last_failure: this.lastFailure,
    };
  }

  dispose(): void {
    this.cancel();
    this.client.destroy();
  }

  private onResponse(entry: GoalEntry, handle: GoalHandle): void {
    if (!handle.isAccepted()) {
      this.counts.goals_rejected++;
      this.onEnded(entry, () => this.report(entry, 'rejected'));
      return;
    }
    this.counts.goals_accepted++;
    entry.handle = handle;
    this.report(entry, 'accepted');
    if (entry.cancelRequested) this.requestCancel(entry);
    if (entry.replaces && !entry.replaces.done) this.requestCancel(entry.replaces);
    entry.replaces = null;
    handle.getResult().then(
      (result) => this.onEnded(entry, () => this.onResult(entry, handle, result)),
      (err: unknown) => this.onEnded(entry, () => this.fail('getting the result', err)),
    );
  }

  private onResult(entry: GoalEntry, handle: GoalHandle, result: unknown): void {
    const status = handle.status;
    if (status === GoalStatus.SUCCEEDED) {
      this.counts.goals_succeeded++;
      this.report(entry, 'succeeded');
    } else if (status === GoalStatus.ABORTED) {
      this.counts.goals_aborted++;
      this.report(entry, 'aborted');
    } else if (status === GoalStatus.CANCELED) {
      this.counts.goals_canceled++;
      this.report(entry, 'canceled');
    } else {
      this.report(entry, `ended with status ${status}`);
    }
    if (entry === this.latest) this.hooks.onResult?.(plain(result));
  }

  private report(entry: GoalEntry, outcome: string): void {
    if (entry === this.latest) this.lastOutcome = outcome;
  }

  private onFeedback(entry: GoalEntry, feedback: unknown): void {
    // Feedback of a goal that was replaced says nothing about the current one.
    if (entry !== this.latest) return;
    try {
      this.hooks.onFeedback?.(plain(feedback));
    } catch (err) {
      this.fail('reading feedback', err);
    }
  }

  /** Marks the goal ended, then records how; the record never throws out of a promise callback. */
  private onEnded(entry: GoalEntry, record: () => void): void {
    entry.done = true;
    if (this.active === entry) this.active = null;
    try {
      record();
    } catch (err) {
      this.fail('reading the result', err);
    }
  }

  private requestCancel(entry: GoalEntry): void {
    entry.cancelRequested = true;
    if (!entry.handle) return;
    try {
      entry.handle.cancelGoal().catch((err: unknown) => this.fail('cancelling the goal', err));
    } catch (err) {
      this.fail('cancelling the goal', err);
    }
  }

  private fail(what: string, err: unknown): void {
    this.counts.failures++;
    const message = `${what} on ${this.name} failed: ${err instanceof Error ? err.message : String(err)}`;
    if (message !== this.lastFailure) this.log('warn', message);
    this.lastFailure = message;
    this.lastOutcome = 'failed';
  }
}

/** rclnodejs may hand over message objects or array wrappers instead of plain values. */
export function plain(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toPlainObject?: unknown }).toPlainObject === 'function') {
    return (value as { toPlainObject(): unknown }).toPlainObject();
  }
  return value;
}

export function field(value: unknown, name: string): unknown {
  const object = plain(value);
  return object !== null && typeof object === 'object' ? plain((object as Record<string, unknown>)[name]) : undefined;
}

/** The numbers of an array, a typed array, or an array wrapper with `data`; [] for anything else. */
export function numbers(value: unknown): number[] {
  const v = plain(value);
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    return Array.from(v as ArrayLike<unknown>).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  }
  if (v !== null && typeof v === 'object' && 'data' in v) return numbers((v as { data: unknown }).data);
  return [];
}
