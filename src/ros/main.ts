/**
 * `molmoact-ros node`: runs the ROS 2 node until SIGINT/SIGTERM. ROS arguments (--ros-args,
 * remaps, --params-file, as `ros2 launch` passes them) are read by rclnodejs from process.argv.
 */
import { loadRclnodejs, RosUnavailableError } from './rcl.js';
import { MolmoActNode } from './molmoact_node.js';
import { ConfigError } from '../config/schema.js';

export async function runNode(): Promise<number> {
  let rcl;
  try {
    rcl = await loadRclnodejs();
  } catch (err) {
    if (err instanceof RosUnavailableError) {
      console.error(`molmoact-ros node: ${err.message}`);
      return 2;
    }
    throw err;
  }
  // The node shuts down in order on SIGINT/SIGTERM below; rclnodejs's own SIGINT handler would
  // tear the context down first.
  rcl.removeSignalHandlers();
  await rcl.init();
  let node: MolmoActNode;
  try {
    node = await MolmoActNode.create(rcl);
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
