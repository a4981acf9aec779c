/**
 * `molmoact-ros node`: runs the ROS 2 node until SIGINT/SIGTERM. ROS arguments (--ros-args,
 * remaps, --params-file, as `ros2 launch` passes them) are read by rclnodejs from process.argv.
 */
import { rclnodejsFor } from './rcl.js';
import { MolmoActNode } from './molmoact_node.js';
import { rclnodejsApi } from './rclnodejs_api.js';
import { ConfigError } from '../../config/schema.js';

export async function runNode(): Promise<number> {
  const rcl = await rclnodejsFor('node');
  if (!rcl) return 2;
  // The node shuts down in order on SIGINT/SIGTERM below; rclnodejs's own SIGINT handler would
  // tear the context down first.
  rcl.removeSignalHandlers();
  await rcl.init();
  let node: MolmoActNode;
  try {
    node = await MolmoActNode.create(rclnodejsApi(rcl));
  } catch (err) {
    // Bad parameters (wrong types, limits that do not fit joint_names) stop the node at start-up.
    const message = err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err);
    console.error(`molmoact-ros node: ${message}`);
    rcl.shutdown();
    return 1;
  }
  node.node.spin();

  return new Promise<number>((resolve) => {
    const stop = async (): Promise<void> => {
      await node.shutdown();
      if (!rcl.isShutdown()) rcl.shutdown();
      resolve(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });
}

/**
 * `molmoact-ros sim-robot`: the tabletop world as a robot on a ROS 2 graph (sim_robot_node.ts)
 * for the molmoact node; prints one JSON line with the success rate and exits.
 */
export async function runSimRobot(argv: string[]): Promise<number> {
  const { parseSimRobotOptions, SIM_ROBOT_HELP } = await import('./sim_robot_options.js');
  const options = parseSimRobotOptions(argv);
  if (options === 'help') {
    process.stdout.write(SIM_ROBOT_HELP);
    return 0;
  }
  const rcl = await rclnodejsFor('sim-robot');
  if (!rcl) return 2;
  const { SimRobotNode } = await import('./sim_robot_node.js');
  const { summarise } = await import('../sim/sim_summary.js');
  rcl.removeSignalHandlers();
  await rcl.init();
  const robot = SimRobotNode.create(rclnodejsApi(rcl), options);
  robot.node.spin();
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    robot.shutdown();
    if (!rcl.isShutdown()) rcl.shutdown();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const outcomes = await robot.run((line) => process.stderr.write(`${line}\n`));
    const summary = summarise('sim-robot', 'see the molmoact node', options.seed, options.steer, outcomes.map((o) => ({ ...o, commands: 0, refusals: 0 })), [], null);
    process.stdout.write(`${JSON.stringify({ success_rate: summary.success_rate, episodes: summary.episodes, seed: summary.seed, steer: summary.steer, mean_seconds: summary.mean_seconds, per_task: summary.per_task })}\n`);
    return 0;
  } catch (err) {
    if (stopped) return 1;
    console.error(`molmoact-ros sim-robot: ${(err as Error).message}`);
    return 1;
  } finally {
    if (!stopped) stop();
  }
}
