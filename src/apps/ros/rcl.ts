/**
 * Loading rclnodejs. It is an optional dependency: it needs a sourced ROS 2 to work, and merely
 * requiring it without its native binding starts a rebuild, so it is only ever imported here, on
 * demand, by the ROS front end. Everything else uses `import type`.
 */
import type * as rclnodejs from 'rclnodejs';

export type Rcl = typeof rclnodejs;

export class RosUnavailableError extends Error {
  override name = 'RosUnavailableError';
}

export async function loadRclnodejs(): Promise<Rcl> {
  if (!process.env.ROS_DISTRO) {
    throw new RosUnavailableError(
      'ROS 2 is not sourced (ROS_DISTRO is unset): run `source /opt/ros/<distro>/setup.bash` and your workspace\'s install/setup.bash first',
    );
  }
  let mod: Rcl & { default?: Rcl };
  try {
    mod = (await import('rclnodejs')) as Rcl & { default?: Rcl };
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    throw new RosUnavailableError(
      `rclnodejs could not be loaded (${reason}); see docs/ros-setup.md for the one-time rclnodejs setup in a ROS 2 workspace`,
    );
  }
  return mod.default ?? mod;
}

/** rclnodejs for a command, or null after saying on stderr why it cannot be used (exit status 2). */
export async function rclnodejsFor(command: string): Promise<Rcl | null> {
  try {
    return await loadRclnodejs();
  } catch (err) {
    if (err instanceof RosUnavailableError) {
      console.error(`molmoact-ros ${command}: ${err.message}`);
      return null;
    }
    throw err;
  }
}
