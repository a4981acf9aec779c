/**
 * The command line of `molmoact-ros sim-robot` (ROS arguments after --ros-args are left to ROS).
 */
import { integerOption, numberOption, parseOptions, UsageError } from '../../config/command_line.js';
import { listRobotPresets } from '../../config/robot_presets.js';
import { TASK_KINDS, type TaskKind } from '../sim/tasks.js';
import type { SimRobotOptions } from './sim_robot_node.js';

export const SIM_ROBOT_HELP = `usage: molmoact-ros sim-robot [options] [--ros-args ...]

The tabletop world as a robot on a ROS 2 graph, for the molmoact node (launch/sim.launch.py
starts both). Prints one JSON line with the success rate when the episodes are done, and exits.

  --episodes N       episodes (default 30)
  --seed S           seed of the worlds and tasks, as molmoact-ros sim's (default 1)
  --task KINDS       all, or a comma list of ${TASK_KINDS.join(', ')} (default all)
  --steer            a person's trace leads to another object (published on ~/trace_override)
  --max-seconds S    seconds before an episode is given up (default 15)
  --camera-hz F      camera frame rate (default 30)
  --robot NAME       robot preset whose controllers are served (default panda; ${listRobotPresets().join(', ')})
  --molmoact NAME    the molmoact node (default /molmoact)
  --sim-time         publish /clock and run on simulated time (the node then needs use_sim_time)
`;

export function parseSimRobotOptions(argv: string[]): SimRobotOptions | 'help' {
  // rclnodejs reads the ROS arguments from process.argv itself.
  const ros = argv.indexOf('--ros-args');
  const args = ros >= 0 ? argv.slice(0, ros) : argv;
  const values = parseOptions({
    args,
    options: {
      episodes: { type: 'string', default: '30' },
      seed: { type: 'string', default: '1' },
      task: { type: 'string', default: 'all' },
      steer: { type: 'boolean', default: false },
      'max-seconds': { type: 'string', default: '15' },
      'camera-hz': { type: 'string', default: '30' },
      robot: { type: 'string', default: 'panda' },
      molmoact: { type: 'string', default: '/molmoact' },
      'sim-time': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const kinds = values.task === 'all' ? [...TASK_KINDS] : values.task.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !(TASK_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new UsageError(`unknown task kind '${unknown.join(', ')}' (${TASK_KINDS.join(', ')} or all)`);
  if (values.robot !== 'panda') throw new UsageError(`--robot: the tabletop world has a Panda; '${values.robot}' is not simulated`);
  return {
    episodes: integerOption(values.episodes, '--episodes', 1),
    seed: integerOption(values.seed, '--seed', 0),
    steer: values.steer,
    maxSec: numberOption(values['max-seconds'], '--max-seconds', { min: 0.1, max: 3600 }),
    kinds: kinds as TaskKind[],
    cameraHz: numberOption(values['camera-hz'], '--camera-hz', { min: 0.5, max: 120 }),
    robot: values.robot,
    molmoact: values.molmoact,
    simTime: values['sim-time'],
  };
}
