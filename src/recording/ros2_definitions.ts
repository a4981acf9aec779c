/**
 * ROS 2 Humble .msg definitions of the message types this package records, and of every type they
 * depend on, as .msg text: the fields, constants and default values of the Humble interfaces, with
 * short comments of our own in place of the upstream ones (comments do not change a definition).
 * The molmoact_ros types are the text of msg/VisualTrace.msg and msg/ActionReasoning.msg.
 *
 * `fullMessageDefinition()` concatenates a type with its dependencies the way rosbag2 does
 * (rosbag2_cpp LocalMessageDefinitionSource) for the `ros2msg` schema encoding of an MCAP file:
 * the root type's text first, then for each dependency, depth first, in sorted order and once
 * each, a newline, a line of 80 `=`, a line `MSG: pkg/Type` and that type's text.
 */

/** builtin_interfaces/msg/Time */
export const BUILTIN_INTERFACES_TIME = `# A point in time: seconds and nanoseconds since the clock's zero.
int32 sec
# in [0, 1e9)
uint32 nanosec
`;

/** builtin_interfaces/msg/Duration */
export const BUILTIN_INTERFACES_DURATION = `# A span of time: seconds (may be negative) and nanoseconds.
int32 sec
# in [0, 1e9)
uint32 nanosec
`;

/** std_msgs/msg/Header */
export const STD_MSGS_HEADER = `# Stamp and coordinate frame of stamped data.
builtin_interfaces/Time stamp
string frame_id
`;

/** std_msgs/msg/String */
export const STD_MSGS_STRING = `string data
`;

/** std_msgs/msg/ColorRGBA */
export const STD_MSGS_COLOR_RGBA = `float32 r
float32 g
float32 b
float32 a
`;

/** geometry_msgs/msg/Point */
export const GEOMETRY_MSGS_POINT = `# A position in free space.
float64 x
float64 y
float64 z
`;

/** geometry_msgs/msg/Vector3 */
export const GEOMETRY_MSGS_VECTOR3 = `# A direction and magnitude in free space (only rotations apply to it).
float64 x
float64 y
float64 z
`;

/** geometry_msgs/msg/Quaternion (the identity by default) */
export const GEOMETRY_MSGS_QUATERNION = `# An orientation as a quaternion; the identity by default.
float64 x 0
float64 y 0
float64 z 0
float64 w 1
`;

/** geometry_msgs/msg/Pose */
export const GEOMETRY_MSGS_POSE = `# A position and an orientation.
Point position
Quaternion orientation
`;

/** sensor_msgs/msg/Image */
export const SENSOR_MSGS_IMAGE = `# An uncompressed image; pixel (0, 0) is the top-left one.

# acquisition time, and the camera's optical frame
std_msgs/Header header

# rows
uint32 height
# columns
uint32 width

# pixel layout, as named in sensor_msgs/image_encodings.hpp (rgb8, 16UC1, ...)
string encoding

# non-zero when multi-byte pixel values are big-endian
uint8 is_bigendian
# bytes per row
uint32 step
# step * height bytes
uint8[] data
`;

/** sensor_msgs/msg/CompressedImage */
export const SENSOR_MSGS_COMPRESSED_IMAGE = `# A compressed image.

# acquisition time, and the camera's optical frame
std_msgs/Header header

# codec of data (jpeg, png, or "<pixel format>; compressedDepth <codec>")
string format

uint8[] data
`;

/** sensor_msgs/msg/RegionOfInterest */
export const SENSOR_MSGS_REGION_OF_INTEREST = `# A window of an image; all zeros means the whole image.

# left column and top row of the window
uint32 x_offset
uint32 y_offset
uint32 height
uint32 width

# true when a rectified window should be computed from this raw one
bool do_rectify
`;

/** sensor_msgs/msg/CameraInfo */
export const SENSOR_MSGS_CAMERA_INFO = `# Calibration of a camera, published beside its images.

# acquisition time of the image, and the camera's optical frame
std_msgs/Header header

# size of the calibrated image, in pixels
uint32 height
uint32 width

# name of the distortion model (plumb_bob, rational_polynomial, equidistant)
string distortion_model

# distortion coefficients; their number depends on the model
float64[] d

# intrinsic matrix of the raw image, 3x3 row-major: fx 0 cx / 0 fy cy / 0 0 1
float64[9]  k

# rectification rotation (stereo), 3x3 row-major
float64[9]  r

# projection matrix of the rectified image, 3x4 row-major
float64[12] p

# pixel binning; 0 means the same as 1 (none)
uint32 binning_x
uint32 binning_y

# the sensor window the image was taken from, in unbinned full-resolution pixels
RegionOfInterest roi
`;

/** sensor_msgs/msg/JointState */
export const SENSOR_MSGS_JOINT_STATE = `# Positions, velocities and efforts of a set of joints, measured at header.stamp.
# The arrays go with name index for index; any of them may be empty.

std_msgs/Header header

string[] name
float64[] position
float64[] velocity
float64[] effort
`;

/** trajectory_msgs/msg/JointTrajectoryPoint */
export const TRAJECTORY_MSGS_JOINT_TRAJECTORY_POINT = `# One waypoint of a joint trajectory, values in the order of JointTrajectory.joint_names;
# give positions, and optionally velocities and accelerations, or effort.

float64[] positions
float64[] velocities
float64[] accelerations
float64[] effort

# when the point is to be reached, from the trajectory's start
builtin_interfaces/Duration time_from_start
`;

/** trajectory_msgs/msg/JointTrajectory */
export const TRAJECTORY_MSGS_JOINT_TRAJECTORY = `# A joint trajectory: its start time (header.stamp, 0 = now), the joints, and the waypoints.
std_msgs/Header header

string[] joint_names

JointTrajectoryPoint[] points
`;

/** visualization_msgs/msg/UVCoordinate */
export const VISUALIZATION_MSGS_UV_COORDINATE = `# A texture coordinate, as fractions [0, 1] of the texture's width and height.
float32 u
float32 v
`;

/** visualization_msgs/msg/MeshFile */
export const VISUALIZATION_MSGS_MESH_FILE = `# A mesh file sent inside a message.

# file name (its extension selects the parser)
string filename

# the file's bytes
uint8[] data
`;

/** visualization_msgs/msg/Marker (Humble: with texture, uv_coordinates and mesh_file) */
export const VISUALIZATION_MSGS_MARKER = `# A shape for rviz to draw.

int32 ARROW=0
int32 CUBE=1
int32 SPHERE=2
int32 CYLINDER=3
int32 LINE_STRIP=4
int32 LINE_LIST=5
int32 CUBE_LIST=6
int32 SPHERE_LIST=7
int32 POINTS=8
int32 TEXT_VIEW_FACING=9
int32 MESH_RESOURCE=10
int32 TRIANGLE_LIST=11

int32 ADD=0
int32 MODIFY=0
int32 DELETE=2
int32 DELETEALL=3

# stamp and frame the pose is given in
std_msgs/Header header
# ns and id name the marker (to modify or delete it later)
string ns
int32 id
# one of the shape constants
int32 type
# ADD (or MODIFY), DELETE or DELETEALL
int32 action
geometry_msgs/Pose pose
# size; its meaning depends on the type
geometry_msgs/Vector3 scale
# components in [0, 1]
std_msgs/ColorRGBA color
# how long the marker stays; 0 is forever
builtin_interfaces/Duration lifetime
# redraw in the current pose of its frame at every update
bool frame_locked

# for the list types (POINTS, LINE_STRIP, LINE_LIST, CUBE_LIST, SPHERE_LIST, TRIANGLE_LIST)
geometry_msgs/Point[] points
# none, or one per point
std_msgs/ColorRGBA[] colors

# texture: a resource URI, or "embedded://<name>" to use the texture field
string texture_resource
sensor_msgs/CompressedImage texture
# texture coordinate of each point
UVCoordinate[] uv_coordinates

# for TEXT_VIEW_FACING
string text

# for MESH_RESOURCE: a resource URI, or "embedded://<name>" to use the mesh_file field
string mesh_resource
MeshFile mesh_file
bool mesh_use_embedded_materials
`;

/** visualization_msgs/msg/MarkerArray */
export const VISUALIZATION_MSGS_MARKER_ARRAY = `Marker[] markers
`;

/** molmoact_ros/msg/VisualTrace (msg/VisualTrace.msg of this package) */
export const MOLMOACT_ROS_VISUAL_TRACE = `# A visual trace: the planned path of the end effector drawn on a camera image, as pixel
# coordinates of that image (not the model's 256x256 grid).
#
# Pixels follow the image convention: u grows to the right, v grows down, (0, 0) is the centre of
# the top-left pixel. u[i], v[i] is point i; both arrays have the same length, first point first.

# stamp and optical frame_id of the image the points refer to
std_msgs/Header header

# size, in pixels, of the image the points refer to (so a trace can be rescaled to another size)
uint32 width
uint32 height

# column of each point, in pixels [0, width)
float32[] u
# row of each point, in pixels [0, height)
float32[] v
`;

/** molmoact_ros/msg/ActionReasoning (msg/ActionReasoning.msg of this package) */
export const MOLMOACT_ROS_ACTION_REASONING = `# One reasoning step of the Action Reasoning Model: the three stages it produced (depth perception
# tokens, a visual trace, an action chunk) for one RGB frame, and what they took.

# stamp and optical frame_id of the RGB frame that was reasoned about
std_msgs/Header header
# when the step finished (the node's clock)
builtin_interfaces/Time completed

# the task the model was given
string instruction
# name of the model (its manifest)
string model

# Stage 1: depth perception tokens, row-major depth_rows x depth_cols, each an index into the
# model's depth codebook
uint32 depth_rows
uint32 depth_cols
uint16[] depth_tokens

# Stage 2: the visual trace, in pixels of the RGB frame
VisualTrace trace
# true when a person's trace (~/trace_override) replaced the planned one before the action stage
bool trace_overridden
# the trace lifted to 3-D with the aligned depth image and the camera intrinsics: camera optical
# frame (header.frame_id; x right, y down, z forward), metres; one point per trace point
geometry_msgs/Point[] trace_points
# false where no valid depth was found under a trace point (that point is then all zeros)
bool[] trace_points_valid

# Stage 3: the action chunk, un-normalised to robot units
# what the columns mean, as the model's manifest names it (for example "ee_delta" for
# dx, dy, dz [m], droll, dpitch, dyaw [rad], gripper; or "joint_position")
string action_space
# steps in the chunk, and values per step
uint32 chunk_length
uint32 action_dim
# row-major chunk_length x action_dim
float64[] actions

# wall time of each stage of the step, in milliseconds; stage_names[i] goes with stage_ms[i]
string[] stage_names
float64[] stage_ms
`;

/** The .msg text of every known type, by its full name (`pkg/msg/Type`). */
export const MSG_DEFINITIONS: Readonly<Record<string, string>> = Object.freeze({
  'builtin_interfaces/msg/Time': BUILTIN_INTERFACES_TIME,
  'builtin_interfaces/msg/Duration': BUILTIN_INTERFACES_DURATION,
  'std_msgs/msg/Header': STD_MSGS_HEADER,
  'std_msgs/msg/String': STD_MSGS_STRING,
  'std_msgs/msg/ColorRGBA': STD_MSGS_COLOR_RGBA,
  'geometry_msgs/msg/Point': GEOMETRY_MSGS_POINT,
  'geometry_msgs/msg/Vector3': GEOMETRY_MSGS_VECTOR3,
  'geometry_msgs/msg/Quaternion': GEOMETRY_MSGS_QUATERNION,
  'geometry_msgs/msg/Pose': GEOMETRY_MSGS_POSE,
  'sensor_msgs/msg/Image': SENSOR_MSGS_IMAGE,
  'sensor_msgs/msg/CompressedImage': SENSOR_MSGS_COMPRESSED_IMAGE,
  'sensor_msgs/msg/RegionOfInterest': SENSOR_MSGS_REGION_OF_INTEREST,
  'sensor_msgs/msg/CameraInfo': SENSOR_MSGS_CAMERA_INFO,
  'sensor_msgs/msg/JointState': SENSOR_MSGS_JOINT_STATE,
  'trajectory_msgs/msg/JointTrajectoryPoint': TRAJECTORY_MSGS_JOINT_TRAJECTORY_POINT,
  'trajectory_msgs/msg/JointTrajectory': TRAJECTORY_MSGS_JOINT_TRAJECTORY,
  'visualization_msgs/msg/UVCoordinate': VISUALIZATION_MSGS_UV_COORDINATE,
  'visualization_msgs/msg/MeshFile': VISUALIZATION_MSGS_MESH_FILE,
  'visualization_msgs/msg/Marker': VISUALIZATION_MSGS_MARKER,
  'visualization_msgs/msg/MarkerArray': VISUALIZATION_MSGS_MARKER_ARRAY,
  'molmoact_ros/msg/VisualTrace': MOLMOACT_ROS_VISUAL_TRACE,
  'molmoact_ros/msg/ActionReasoning': MOLMOACT_ROS_ACTION_REASONING,
});

const PRIMITIVE_TYPES = new Set([
  'bool', 'byte', 'char', 'float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64',
  'string', 'wstring',
]);

/** `pkg/Type` or `pkg/msg/Type` as `{ pkg, name }`; throws on anything else. */
function splitTypeName(type: string): { pkg: string; name: string } {
  const m = /^([A-Za-z][A-Za-z0-9_]*)\/(?:msg\/)?([A-Za-z][A-Za-z0-9_]*)$/.exec(type);
  if (!m) throw new Error(`not a ROS 2 message type name: "${type}" (expected pkg/msg/Type or pkg/Type)`);
  return { pkg: m[1], name: m[2] };
}

/** The .msg text of a type given as `pkg/msg/Type` or `pkg/Type`. */
export function messageDefinitionText(type: string): string {
  const { pkg, name } = splitTypeName(type);
  const text = MSG_DEFINITIONS[`${pkg}/msg/${name}`];
  if (text === undefined) throw new Error(`no .msg definition known for ${type}`);
  return text;
}

/**
 * The complex types a .msg text refers to, as `pkg/Type` (types without a package are in
 * `pkg`, the package of the text), sorted, each once. Only the type at the start of a line counts:
 * comment lines and constants of primitive types add nothing.
 */
export function messageDependencies(text: string, pkg: string): string[] {
  const deps = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z0-9_/]+)(?:\[[^\]]*\])?(?:<=\d+)?\s+/.exec(line);
    if (!m) continue;
    const type = m[1];
    if (PRIMITIVE_TYPES.has(type)) continue;
    deps.add(type.includes('/') ? type : `${pkg}/${type}`);
  }
  return [...deps].sort();
}

/** The line that separates the definitions of a full message definition. */
export const DEFINITION_SEPARATOR = '='.repeat(80);

/**
 * The complete `ros2msg` definition of `type` (`pkg/msg/Type`): its .msg text followed by those of
 * all types it depends on, recursively, each once, as rosbag2 stores it in an MCAP schema.
 */
export function fullMessageDefinition(type: string): string {
  const seen = new Set<string>();
  const append = (current: string, depth: number): string => {
    if (depth <= 0) throw new Error(`message definition of ${type} nests too deeply`);
    const text = messageDefinitionText(current);
    let result = text;
    for (const dep of messageDependencies(text, splitTypeName(current).pkg)) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      result += `\n${DEFINITION_SEPARATOR}\nMSG: ${dep}\n${append(dep, depth - 1)}`;
    }
    return result;
  };
  return append(type, 50);
}
