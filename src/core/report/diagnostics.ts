/**
 * The node's health as diagnostic_msgs/DiagnosticArray, for /diagnostics (rqt_robot_monitor).
 */
import type { DiagnosticArray, DiagnosticStatus, Time } from '../messages/types.js';

export const DiagnosticLevel = { OK: 0, WARN: 1, ERROR: 2, STALE: 3 } as const;

export interface HealthReport {
  /** The worst problem now, if any, with its level. */
  problem: { level: 1 | 2; message: string } | null;
  /** Values shown as key/value pairs, in this order. */
  values: Record<string, string | number | boolean>;
}

export function buildDiagnostics(stamp: Time, nodeName: string, report: HealthReport): DiagnosticArray {
  const status: DiagnosticStatus = {
    level: report.problem?.level ?? DiagnosticLevel.OK,
    name: `${nodeName}: action reasoning`,
    message: report.problem?.message ?? 'reasoning',
    hardware_id: nodeName,
    values: Object.entries(report.values).map(([key, value]) => ({ key, value: String(value) })),
  };
  return { header: { stamp, frame_id: '' }, status: [status] };
}
