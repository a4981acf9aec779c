/**
 * An episode as a rosbag2-compatible MCAP file (opens in Foxglove, replays with `ros2 bag play`):
 * the camera, its depth and info, the joint states, the instruction, the trace as rviz markers
 * (lifted to 3-D with the depth, as the node publishes them) and the trajectories sent to the
 * controller, on the node's default topics.
 */
import { PinholeCamera, liftTrace } from '../../core/messages/camera_model.js';
import { decodeDepthImage } from '../../core/messages/image_codec.js';
import { timeFromSeconds } from '../../core/messages/time.js';
import type { Image, JointTrajectory } from '../../core/messages/types.js';
import { traceToPixels } from '../../core/model/decode.js';
import { buildTraceMarkers } from '../../core/visualize/trace_markers.js';
import type { FrameRecord } from './episode.js';
import { McapRecorder } from '../../recording/mcap_recorder.js';

export async function recordEpisode(records: readonly FrameRecord[], file: string): Promise<void> {
  const recorder = await McapRecorder.create(file);
  try {
    let first = true;
    for (const record of records) {
      const stampNs = BigInt(Math.round(record.stampSec * 1e9));
      const { frame } = record;
      if (first) {
        await recorder.write('/molmoact/instruction', 'std_msgs/msg/String', { data: record.instruction }, stampNs);
        first = false;
      }
      await recorder.write('/camera/color/image_raw', 'sensor_msgs/msg/Image', frame.rgb, stampNs);
      await recorder.write('/camera/aligned_depth_to_color/image_raw', 'sensor_msgs/msg/Image', frame.depth, stampNs);
      await recorder.write('/camera/color/camera_info', 'sensor_msgs/msg/CameraInfo', frame.cameraInfo, stampNs);
      await recorder.write('/joint_states', 'sensor_msgs/msg/JointState', frame.joints, stampNs);
      if (record.trace) {
        const camera = PinholeCamera.fromCameraInfo(frame.cameraInfo);
        const depth = decodeDepthImage(frame.depth as Image);
        const trace3d = liftTrace(camera, depth, traceToPixels(record.trace, camera.width, camera.height));
        const markers = buildTraceMarkers({ stamp: timeFromSeconds(record.stampSec), frameId: frame.frameId, trace3d });
        await recorder.write('/molmoact/trace_markers', 'visualization_msgs/msg/MarkerArray', markers, stampNs);
      }
      if (record.trajectory) {
        const sent: JointTrajectory = { ...record.trajectory, header: { ...record.trajectory.header, stamp: timeFromSeconds(record.stampSec) } };
        await recorder.write('/arm_controller/joint_trajectory', 'trajectory_msgs/msg/JointTrajectory', sent, stampNs);
      }
    }
  } finally {
    await recorder.close();
  }
}
