/**
 * Plain-object layouts of the ROS 2 messages this package reads and writes.
 *
 * They mirror the .msg definitions field for field (names in snake_case, as rclnodejs hands them
 * over), so the same objects go to rclnodejs publishers, into CDR/MCAP files and into tests. The
 * rclnodejs message typings are generated only on a machine with ROS 2, hence these.
 */

/** builtin_interfaces/Time */
export interface Time {
  sec: number;
  nanosec: number;
}

/** builtin_interfaces/Duration */
export interface Duration {
  sec: number;
  nanosec: number;
}

/** std_msgs/Header */
export interface Header {
  stamp: Time;
  frame_id: string;
}

/** std_msgs/String */
export interface StringMsg {
  data: string;
}

/** sensor_msgs/Image */
export interface Image {
  header: Header;
  height: number;
  width: number;
  encoding: string;
  is_bigendian: number;
  step: number;
  data: Uint8Array;
}

/** sensor_msgs/CompressedImage */
export interface CompressedImage {
  header: Header;
  format: string;
  data: Uint8Array;
}

/** sensor_msgs/RegionOfInterest */
export interface RegionOfInterest {
  x_offset: number;
  y_offset: number;
  height: number;
  width: number;
  do_rectify: boolean;
}

/** sensor_msgs/CameraInfo (row-major k: 3x3, r: 3x3, p: 3x4) */
export interface CameraInfo {
  header: Header;
  height: number;
  width: number;
  distortion_model: string;
  d: ArrayLike<number>;
  k: ArrayLike<number>;
  r: ArrayLike<number>;
  p: ArrayLike<number>;
  binning_x: number;
  binning_y: number;
  roi: RegionOfInterest;
}

/** sensor_msgs/JointState */
export interface JointState {
  header: Header;
  name: string[];
  position: ArrayLike<number>;
  velocity: ArrayLike<number>;
  effort: ArrayLike<number>;
}

/** trajectory_msgs/JointTrajectoryPoint */
export interface JointTrajectoryPoint {
  positions: number[];
  velocities: number[];
  accelerations: number[];
  effort: number[];
  time_from_start: Duration;
}

/** trajectory_msgs/JointTrajectory */
export interface JointTrajectory {
  header: Header;
  joint_names: string[];
  points: JointTrajectoryPoint[];
}

/** geometry_msgs/Point */
export interface Point {
  x: number;
  y: number;
  z: number;
}

/** geometry_msgs/Vector3 */
export type Vector3 = Point;

/** geometry_msgs/Quaternion */
export interface Quaternion {
  x: number;
  y: number;
  z: number;
  w: number;
}

/** geometry_msgs/Pose */
export interface Pose {
  position: Point;
  orientation: Quaternion;
}

/** geometry_msgs/PointStamped (what rviz's "Publish Point" tool sends on /clicked_point) */
export interface PointStamped {
  header: Header;
  point: Point;
}

/** geometry_msgs/Transform */
export interface TransformMsg {
  translation: Vector3;
  rotation: Quaternion;
}

/** geometry_msgs/TransformStamped: child_frame_id expressed in header.frame_id */
export interface TransformStamped {
  header: Header;
  child_frame_id: string;
  transform: TransformMsg;
}

/** tf2_msgs/TFMessage (/tf and /tf_static) */
export interface TFMessage {
  transforms: TransformStamped[];
}

/** std_msgs/ColorRGBA */
export interface ColorRGBA {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** visualization_msgs/Marker (Humble layout) */
export interface Marker {
  header: Header;
  ns: string;
  id: number;
  type: number;
  action: number;
  pose: Pose;
  scale: Vector3;
  color: ColorRGBA;
  lifetime: Duration;
  frame_locked: boolean;
  points: Point[];
  colors: ColorRGBA[];
  texture_resource: string;
  texture: CompressedImage;
  uv_coordinates: { u: number; v: number }[];
  text: string;
  mesh_resource: string;
  mesh_file: { filename: string; data: Uint8Array };
  mesh_use_embedded_materials: boolean;
}

/** visualization_msgs/MarkerArray */
export interface MarkerArray {
  markers: Marker[];
}

/** diagnostic_msgs/KeyValue */
export interface KeyValue {
  key: string;
  value: string;
}

/** diagnostic_msgs/DiagnosticStatus */
export interface DiagnosticStatus {
  level: number;
  name: string;
  message: string;
  hardware_id: string;
  values: KeyValue[];
}

/** diagnostic_msgs/DiagnosticArray */
export interface DiagnosticArray {
  header: Header;
  status: DiagnosticStatus[];
}

/** molmoact_ros/VisualTrace (msg/VisualTrace.msg) */
export interface VisualTrace {
  header: Header;
  width: number;
  height: number;
  u: number[];
  v: number[];
}

/** molmoact_ros/ActionReasoning (msg/ActionReasoning.msg) */
export interface ActionReasoning {
  header: Header;
  completed: Time;
  instruction: string;
  model: string;
  depth_rows: number;
  depth_cols: number;
  depth_tokens: number[];
  trace: VisualTrace;
  trace_overridden: boolean;
  trace_points: Point[];
  trace_points_valid: boolean[];
  action_space: string;
  chunk_length: number;
  action_dim: number;
  actions: number[];
  stage_names: string[];
  stage_ms: number[];
}
