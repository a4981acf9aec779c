/**
 * ReasoningStep -> molmoact_ros/msg/ActionReasoning: everything the model said about one frame.
 */
import type { ActionReasoning, Time } from '../messages/types.js';
import { makeHeader } from '../messages/builders.js';
import type { ReasoningStep } from '../model/types.js';
import type { ModelSummary } from '../model/model_summary.js';

export function buildReasoningMessage(step: ReasoningStep, model: ModelSummary, completed: Time): ActionReasoning {
  const header = makeHeader(step.stamp, step.frameId);
  const stageNames = Object.keys(step.timings);
  return {
    header,
    completed,
    instruction: step.instruction,
    model: model.name,
    depth_rows: model.depthRows,
    depth_cols: model.depthCols,
    depth_tokens: step.depthTokens.slice(),
    trace: {
      header,
      width: step.imageWidth,
      height: step.imageHeight,
      u: step.tracePixels.map((p) => p.u),
      v: step.tracePixels.map((p) => p.v),
    },
    trace_overridden: step.traceOverridden,
    trace_points: step.trace3d.map((p) => p ?? { x: 0, y: 0, z: 0 }),
    trace_points_valid: step.trace3d.map((p) => p !== null && Number.isFinite(p.x) && Number.isFinite(p.y) && Number.isFinite(p.z)),
    action_space: model.actionSpace,
    chunk_length: step.actions.length,
    action_dim: step.actions[0]?.length ?? 0,
    actions: step.actions.flat(),
    stage_names: stageNames,
    stage_ms: stageNames.map((name) => step.timings[name]),
  };
}
