/**
 * The summary of a simulation run that `molmoact-ros sim` and the simulated robot on a ROS graph
 * both print: success by task kind, time, step times, commands.
 */

export interface SimSummary {
  model: string;
  execution_policy: string;
  episodes: number;
  seed: number;
  steer: boolean;
  success_rate: number;
  mean_seconds: number;
  step_ms_p50: number;
  step_ms_p90: number;
  per_task: Record<string, { episodes: number; success_rate: number }>;
  commands: number;
  refusals: number;
  out?: string;
}

export function summarise(
  model: string,
  policy: string,
  seed: number,
  steer: boolean,
  results: { kind: string; success: boolean; seconds: number; commands: number; refusals: number }[],
  stepMs: number[],
  out: string | null,
): SimSummary {
  const sorted = [...stepMs].sort((a, b) => a - b);
  const quantile = (q: number): number => (sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]) : NaN);
  const perTask: SimSummary['per_task'] = {};
  for (const kind of new Set(results.map((r) => r.kind))) {
    const of = results.filter((r) => r.kind === kind);
    perTask[kind] = { episodes: of.length, success_rate: round(of.filter((r) => r.success).length / of.length) };
  }
  return {
    model,
    execution_policy: policy,
    episodes: results.length,
    seed,
    steer,
    success_rate: round(results.filter((r) => r.success).length / results.length),
    mean_seconds: round(results.reduce((sum, r) => sum + r.seconds, 0) / results.length),
    step_ms_p50: quantile(0.5),
    step_ms_p90: quantile(0.9),
    per_task: perTask,
    commands: results.reduce((sum, r) => sum + r.commands, 0),
    refusals: results.reduce((sum, r) => sum + r.refusals, 0),
    ...(out ? { out } : {}),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
