/* eslint-disable camelcase */
// Stand-in for rclnodejs/types/interfaces.d.ts on machines without ROS 2.
//
// rclnodejs writes that file from the message packages of a sourced ROS 2 install
// (`npx generate-ros-messages`), and its other .d.ts files (base.d.ts references it) need the
// names below, so without it `tsc` cannot read `import type ... from 'rclnodejs'`.
// scripts/rclnodejs-types.mjs copies this file there only when the file is missing; on a ROS 2
// machine the generated one, with every installed message, is kept.
//
// Only the interfaces this package uses and the ones rclnodejs's own declarations name are here.
// Their shapes follow the generated file: every field present, numeric arrays as `number[]` or
// the typed array rclnodejs hands over, int64/uint64 as bigint.

declare module 'rclnodejs' {
  namespace builtin_interfaces {
    namespace msg {
      export interface Time {
        sec: number;
        nanosec: number;
      }
      export interface TimeConstructor {
        new (other?: Time): Time;
      }
      export interface Duration {
        sec: number;
        nanosec: number;
      }
      export interface DurationConstructor {
        new (other?: Duration): Duration;
      }
    }
  }

  namespace std_msgs {
    namespace msg {
      export interface Header {
        stamp: builtin_interfaces.msg.Time;
        frame_id: string;
      }
      export interface HeaderConstructor {
        new (other?: Header): Header;
      }
      export interface String {
        data: string;
      }
      export interface StringConstructor {
        new (other?: String): String;
      }
      export interface ColorRGBA {
        r: number;
        g: number;
        b: number;
        a: number;
      }
      export interface ColorRGBAConstructor {
        new (other?: ColorRGBA): ColorRGBA;
      }
    }
  }

  namespace geometry_msgs {
    namespace msg {
      export interface Point {
        x: number;
        y: number;
        z: number;
      }
      export interface PointConstructor {
        new (other?: Point): Point;
      }
      export interface PointStamped {
        header: std_msgs.msg.Header;
        point: geometry_msgs.msg.Point;
      }
      export interface PointStampedConstructor {
        new (other?: PointStamped): PointStamped;
      }
      export interface Vector3 {
        x: number;
        y: number;
        z: number;
      }
      export interface Vector3Constructor {
        new (other?: Vector3): Vector3;
      }
      export interface Quaternion {
        x: number;
        y: number;
        z: number;
        w: number;
      }
      export interface QuaternionConstructor {
        new (other?: Quaternion): Quaternion;
      }
      export interface Pose {
        position: geometry_msgs.msg.Point;
        orientation: geometry_msgs.msg.Quaternion;
      }
      export interface PoseConstructor {
        new (other?: Pose): Pose;
      }
      export interface Transform {
        translation: geometry_msgs.msg.Vector3;
        rotation: geometry_msgs.msg.Quaternion;
      }
      export interface TransformConstructor {
        new (other?: Transform): Transform;
      }
      export interface Twist {
        linear: geometry_msgs.msg.Vector3;
        angular: geometry_msgs.msg.Vector3;
      }
      export interface TwistConstructor {
        new (other?: Twist): Twist;
      }
    }
  }

  namespace sensor_msgs {
    namespace msg {
      export interface Image {
        header: std_msgs.msg.Header;
        height: number;
        width: number;
        encoding: string;
        is_bigendian: number;
        step: number;
        data: number[] | Uint8Array;
      }
      export interface ImageConstructor {
        new (other?: Image): Image;
      }
      export interface CompressedImage {
        header: std_msgs.msg.Header;
        format: string;
        data: number[] | Uint8Array;
      }
      export interface CompressedImageConstructor {
        new (other?: CompressedImage): CompressedImage;
      }
      export interface RegionOfInterest {
        x_offset: number;
        y_offset: number;
        height: number;
        width: number;
        do_rectify: boolean;
      }
      export interface RegionOfInterestConstructor {
        new (other?: RegionOfInterest): RegionOfInterest;
      }
      export interface CameraInfo {
        header: std_msgs.msg.Header;
        height: number;
        width: number;
        distortion_model: string;
        d: number[] | Float64Array;
        k: number[] | Float64Array;
        r: number[] | Float64Array;
        p: number[] | Float64Array;
        binning_x: number;
        binning_y: number;
        roi: sensor_msgs.msg.RegionOfInterest;
      }
      export interface CameraInfoConstructor {
        new (other?: CameraInfo): CameraInfo;
      }
      export interface JointState {
        header: std_msgs.msg.Header;
        name: string[];
        position: number[] | Float64Array;
        velocity: number[] | Float64Array;
        effort: number[] | Float64Array;
      }
      export interface JointStateConstructor {
        new (other?: JointState): JointState;
      }
    }
  }

  namespace trajectory_msgs {
    namespace msg {
      export interface JointTrajectoryPoint {
        positions: number[] | Float64Array;
        velocities: number[] | Float64Array;
        accelerations: number[] | Float64Array;
        effort: number[] | Float64Array;
        time_from_start: builtin_interfaces.msg.Duration;
      }
      export interface JointTrajectoryPointConstructor {
        new (other?: JointTrajectoryPoint): JointTrajectoryPoint;
      }
      export interface JointTrajectory {
        header: std_msgs.msg.Header;
        joint_names: string[];
        points: trajectory_msgs.msg.JointTrajectoryPoint[];
      }
      export interface JointTrajectoryConstructor {
        new (other?: JointTrajectory): JointTrajectory;
      }
      export interface MultiDOFJointTrajectoryPoint {
        transforms: geometry_msgs.msg.Transform[];
        velocities: geometry_msgs.msg.Twist[];
        accelerations: geometry_msgs.msg.Twist[];
        time_from_start: builtin_interfaces.msg.Duration;
      }
      export interface MultiDOFJointTrajectoryPointConstructor {
        new (other?: MultiDOFJointTrajectoryPoint): MultiDOFJointTrajectoryPoint;
      }
      export interface MultiDOFJointTrajectory {
        header: std_msgs.msg.Header;
        joint_names: string[];
        points: trajectory_msgs.msg.MultiDOFJointTrajectoryPoint[];
      }
      export interface MultiDOFJointTrajectoryConstructor {
        new (other?: MultiDOFJointTrajectory): MultiDOFJointTrajectory;
      }
    }
  }

  namespace visualization_msgs {
    namespace msg {
      export interface UVCoordinate {
        u: number;
        v: number;
      }
      export interface UVCoordinateConstructor {
        new (other?: UVCoordinate): UVCoordinate;
      }
      export interface MeshFile {
        filename: string;
        data: number[] | Uint8Array;
      }
      export interface MeshFileConstructor {
        new (other?: MeshFile): MeshFile;
      }
      export interface Marker {
        header: std_msgs.msg.Header;
        ns: string;
        id: number;
        type: number;
        action: number;
        pose: geometry_msgs.msg.Pose;
        scale: geometry_msgs.msg.Vector3;
        color: std_msgs.msg.ColorRGBA;
        lifetime: builtin_interfaces.msg.Duration;
        frame_locked: boolean;
        points: geometry_msgs.msg.Point[];
        colors: std_msgs.msg.ColorRGBA[];
        texture_resource: string;
        texture: sensor_msgs.msg.CompressedImage;
        uv_coordinates: visualization_msgs.msg.UVCoordinate[];
        text: string;
        mesh_resource: string;
        mesh_file: visualization_msgs.msg.MeshFile;
        mesh_use_embedded_materials: boolean;
      }
      export interface MarkerConstructor {
        readonly ARROW: number;
        readonly CUBE: number;
        readonly SPHERE: number;
        readonly CYLINDER: number;
        readonly LINE_STRIP: number;
        readonly LINE_LIST: number;
        readonly CUBE_LIST: number;
        readonly SPHERE_LIST: number;
        readonly POINTS: number;
        readonly TEXT_VIEW_FACING: number;
        readonly MESH_RESOURCE: number;
        readonly TRIANGLE_LIST: number;
        readonly ARROW_STRIP: number;
        readonly ADD: number;
        readonly MODIFY: number;
        readonly DELETE: number;
        readonly DELETEALL: number;
        new (other?: Marker): Marker;
      }
      export interface MarkerArray {
        markers: visualization_msgs.msg.Marker[];
      }
      export interface MarkerArrayConstructor {
        new (other?: MarkerArray): MarkerArray;
      }
    }
  }

  namespace diagnostic_msgs {
    namespace msg {
      export interface KeyValue {
        key: string;
        value: string;
      }
      export interface KeyValueConstructor {
        new (other?: KeyValue): KeyValue;
      }
      export interface DiagnosticStatus {
        level: number;
        name: string;
        message: string;
        hardware_id: string;
        values: diagnostic_msgs.msg.KeyValue[];
      }
      export interface DiagnosticStatusConstructor {
        readonly OK: number;
        readonly WARN: number;
        readonly ERROR: number;
        readonly STALE: number;
        new (other?: DiagnosticStatus): DiagnosticStatus;
      }
      export interface DiagnosticArray {
        header: std_msgs.msg.Header;
        status: diagnostic_msgs.msg.DiagnosticStatus[];
      }
      export interface DiagnosticArrayConstructor {
        new (other?: DiagnosticArray): DiagnosticArray;
      }
    }
  }

  namespace std_srvs {
    namespace srv {
      export interface SetBool_Request {
        data: boolean;
      }
      export interface SetBool_RequestConstructor {
        new (other?: SetBool_Request): SetBool_Request;
      }
      export interface SetBool_Response {
        success: boolean;
        message: string;
      }
      export interface SetBool_ResponseConstructor {
        new (other?: SetBool_Response): SetBool_Response;
      }
      export interface SetBoolConstructor extends ROSService {
        readonly Request: SetBool_RequestConstructor;
        readonly Response: SetBool_ResponseConstructor;
      }
      export interface Trigger_Request {}
      export interface Trigger_RequestConstructor {
        new (other?: Trigger_Request): Trigger_Request;
      }
      export interface Trigger_Response {
        success: boolean;
        message: string;
      }
      export interface Trigger_ResponseConstructor {
        new (other?: Trigger_Response): Trigger_Response;
      }
      export interface TriggerConstructor extends ROSService {
        readonly Request: Trigger_RequestConstructor;
        readonly Response: Trigger_ResponseConstructor;
      }
    }
  }

  namespace unique_identifier_msgs {
    namespace msg {
      export interface UUID {
        uuid: number[] | Uint8Array;
      }
      export interface UUIDConstructor {
        new (other?: UUID): UUID;
      }
    }
  }

  namespace action_msgs {
    namespace msg {
      export interface GoalInfo {
        goal_id: unique_identifier_msgs.msg.UUID;
        stamp: builtin_interfaces.msg.Time;
      }
      export interface GoalInfoConstructor {
        new (other?: GoalInfo): GoalInfo;
      }
      export interface GoalStatus {
        goal_info: action_msgs.msg.GoalInfo;
        status: number;
      }
      export interface GoalStatusConstructor {
        readonly STATUS_UNKNOWN: number;
        readonly STATUS_ACCEPTED: number;
        readonly STATUS_EXECUTING: number;
        readonly STATUS_CANCELING: number;
        readonly STATUS_SUCCEEDED: number;
        readonly STATUS_CANCELED: number;
        readonly STATUS_ABORTED: number;
        new (other?: GoalStatus): GoalStatus;
      }
      export interface GoalStatusArray {
        status_list: action_msgs.msg.GoalStatus[];
      }
      export interface GoalStatusArrayConstructor {
        new (other?: GoalStatusArray): GoalStatusArray;
      }
    }
    namespace srv {
      export interface CancelGoal_Request {
        goal_info: action_msgs.msg.GoalInfo;
      }
      export interface CancelGoal_RequestConstructor {
        new (other?: CancelGoal_Request): CancelGoal_Request;
      }
      export interface CancelGoal_Response {
        return_code: number;
        goals_canceling: action_msgs.msg.GoalInfo[];
      }
      export interface CancelGoal_ResponseConstructor {
        readonly ERROR_NONE: number;
        readonly ERROR_REJECTED: number;
        readonly ERROR_UNKNOWN_GOAL_ID: number;
        readonly ERROR_GOAL_TERMINATED: number;
        new (other?: CancelGoal_Response): CancelGoal_Response;
      }
      export interface CancelGoalConstructor extends ROSService {
        readonly Request: CancelGoal_RequestConstructor;
        readonly Response: CancelGoal_ResponseConstructor;
      }
    }
  }

  namespace lifecycle_msgs {
    namespace msg {
      export interface Transition {
        id: number;
        label: string;
      }
      export interface TransitionConstructor {
        readonly TRANSITION_CREATE: number;
        readonly TRANSITION_CONFIGURE: number;
        readonly TRANSITION_CLEANUP: number;
        readonly TRANSITION_ACTIVATE: number;
        readonly TRANSITION_DEACTIVATE: number;
        readonly TRANSITION_UNCONFIGURED_SHUTDOWN: number;
        readonly TRANSITION_INACTIVE_SHUTDOWN: number;
        readonly TRANSITION_ACTIVE_SHUTDOWN: number;
        readonly TRANSITION_DESTROY: number;
        readonly TRANSITION_ON_CONFIGURE_SUCCESS: number;
        readonly TRANSITION_ON_CONFIGURE_FAILURE: number;
        readonly TRANSITION_ON_CONFIGURE_ERROR: number;
        readonly TRANSITION_ON_CLEANUP_SUCCESS: number;
        readonly TRANSITION_ON_CLEANUP_FAILURE: number;
        readonly TRANSITION_ON_CLEANUP_ERROR: number;
        readonly TRANSITION_ON_ACTIVATE_SUCCESS: number;
        readonly TRANSITION_ON_ACTIVATE_FAILURE: number;
        readonly TRANSITION_ON_ACTIVATE_ERROR: number;
        readonly TRANSITION_ON_DEACTIVATE_SUCCESS: number;
        readonly TRANSITION_ON_DEACTIVATE_FAILURE: number;
        readonly TRANSITION_ON_DEACTIVATE_ERROR: number;
        readonly TRANSITION_ON_SHUTDOWN_SUCCESS: number;
        readonly TRANSITION_ON_SHUTDOWN_FAILURE: number;
        readonly TRANSITION_ON_SHUTDOWN_ERROR: number;
        readonly TRANSITION_ON_ERROR_SUCCESS: number;
        readonly TRANSITION_ON_ERROR_FAILURE: number;
        readonly TRANSITION_ON_ERROR_ERROR: number;
        readonly TRANSITION_CALLBACK_SUCCESS: number;
        readonly TRANSITION_CALLBACK_FAILURE: number;
        readonly TRANSITION_CALLBACK_ERROR: number;
        new (other?: Transition): Transition;
      }
      export interface State {
        id: number;
        label: string;
      }
      export interface StateConstructor {
        readonly PRIMARY_STATE_UNKNOWN: number;
        readonly PRIMARY_STATE_UNCONFIGURED: number;
        readonly PRIMARY_STATE_INACTIVE: number;
        readonly PRIMARY_STATE_ACTIVE: number;
        readonly PRIMARY_STATE_FINALIZED: number;
        readonly TRANSITION_STATE_CONFIGURING: number;
        readonly TRANSITION_STATE_CLEANINGUP: number;
        readonly TRANSITION_STATE_SHUTTINGDOWN: number;
        readonly TRANSITION_STATE_ACTIVATING: number;
        readonly TRANSITION_STATE_DEACTIVATING: number;
        readonly TRANSITION_STATE_ERRORPROCESSING: number;
        new (other?: State): State;
      }
    }
  }

  namespace rcl_interfaces {
    namespace msg {
      export interface ParameterValue {
        type: number;
        bool_value: boolean;
        integer_value: bigint;
        double_value: number;
        string_value: string;
        byte_array_value: number[] | Uint8Array;
        bool_array_value: boolean[];
        integer_array_value: bigint[];
        double_array_value: number[] | Float64Array;
        string_array_value: string[];
      }
      export interface ParameterValueConstructor {
        new (other?: ParameterValue): ParameterValue;
      }
      export interface Parameter {
        name: string;
        value: rcl_interfaces.msg.ParameterValue;
      }
      export interface ParameterConstructor {
        new (other?: Parameter): Parameter;
      }
      export interface FloatingPointRange {
        from_value: number;
        to_value: number;
        step: number;
      }
      export interface FloatingPointRangeConstructor {
        new (other?: FloatingPointRange): FloatingPointRange;
      }
      export interface IntegerRange {
        from_value: bigint;
        to_value: bigint;
        step: bigint;
      }
      export interface IntegerRangeConstructor {
        new (other?: IntegerRange): IntegerRange;
      }
      export interface ParameterDescriptor {
        name: string;
        type: number;
        description: string;
        additional_constraints: string;
        read_only: boolean;
        dynamic_typing: boolean;
        floating_point_range: rcl_interfaces.msg.FloatingPointRange[];
        integer_range: rcl_interfaces.msg.IntegerRange[];
      }
      export interface ParameterDescriptorConstructor {
        new (other?: ParameterDescriptor): ParameterDescriptor;
      }
      export interface SetParametersResult {
        successful: boolean;
        reason: string;
      }
      export interface SetParametersResultConstructor {
        new (other?: SetParametersResult): SetParametersResult;
      }
      export interface ParameterEvent {
        stamp: builtin_interfaces.msg.Time;
        node: string;
        new_parameters: rcl_interfaces.msg.Parameter[];
        changed_parameters: rcl_interfaces.msg.Parameter[];
        deleted_parameters: rcl_interfaces.msg.Parameter[];
      }
      export interface ParameterEventConstructor {
        new (other?: ParameterEvent): ParameterEvent;
      }
      export interface Log {
        stamp: builtin_interfaces.msg.Time;
        level: number;
        name: string;
        msg: string;
        file: string;
        function: string;
        line: number;
      }
      export interface LogConstructor {
        readonly DEBUG: number;
        readonly INFO: number;
        readonly WARN: number;
        readonly ERROR: number;
        readonly FATAL: number;
        new (other?: Log): Log;
      }
    }
  }

  namespace control_msgs {
    namespace msg {
      export interface JointTolerance {
        name: string;
        position: number;
        velocity: number;
        acceleration: number;
      }
      export interface JointToleranceConstructor {
        new (other?: JointTolerance): JointTolerance;
      }
      export interface JointComponentTolerance {
        joint_name: string;
        component: number;
        position: number;
        velocity: number;
        acceleration: number;
      }
      export interface JointComponentToleranceConstructor {
        readonly X_AXIS: number;
        readonly Y_AXIS: number;
        readonly Z_AXIS: number;
        readonly TRANSLATION: number;
        readonly ROTATION: number;
        new (other?: JointComponentTolerance): JointComponentTolerance;
      }
    }
    namespace action {
      export interface FollowJointTrajectory_Goal {
        trajectory: trajectory_msgs.msg.JointTrajectory;
        multi_dof_trajectory: trajectory_msgs.msg.MultiDOFJointTrajectory;
        path_tolerance: control_msgs.msg.JointTolerance[];
        component_path_tolerance: control_msgs.msg.JointComponentTolerance[];
        goal_tolerance: control_msgs.msg.JointTolerance[];
        component_goal_tolerance: control_msgs.msg.JointComponentTolerance[];
        goal_time_tolerance: builtin_interfaces.msg.Duration;
      }
      export interface FollowJointTrajectory_GoalConstructor {
        new (other?: FollowJointTrajectory_Goal): FollowJointTrajectory_Goal;
      }
      export interface FollowJointTrajectory_Result {
        error_code: number;
        error_string: string;
      }
      export interface FollowJointTrajectory_ResultConstructor {
        readonly SUCCESSFUL: number;
        readonly INVALID_GOAL: number;
        readonly INVALID_JOINTS: number;
        readonly OLD_HEADER_TIMESTAMP: number;
        readonly PATH_TOLERANCE_VIOLATED: number;
        readonly GOAL_TOLERANCE_VIOLATED: number;
        new (other?: FollowJointTrajectory_Result): FollowJointTrajectory_Result;
      }
      export interface FollowJointTrajectory_Feedback {
        header: std_msgs.msg.Header;
        joint_names: string[];
        desired: trajectory_msgs.msg.JointTrajectoryPoint;
        actual: trajectory_msgs.msg.JointTrajectoryPoint;
        error: trajectory_msgs.msg.JointTrajectoryPoint;
        multi_dof_joint_names: string[];
        multi_dof_desired: trajectory_msgs.msg.MultiDOFJointTrajectoryPoint;
        multi_dof_actual: trajectory_msgs.msg.MultiDOFJointTrajectoryPoint;
        multi_dof_error: trajectory_msgs.msg.MultiDOFJointTrajectoryPoint;
      }
      export interface FollowJointTrajectory_FeedbackConstructor {
        new (other?: FollowJointTrajectory_Feedback): FollowJointTrajectory_Feedback;
      }
      export interface FollowJointTrajectoryConstructor {
        readonly Goal: FollowJointTrajectory_GoalConstructor;
        readonly Result: FollowJointTrajectory_ResultConstructor;
        readonly Feedback: FollowJointTrajectory_FeedbackConstructor;
      }
    }
  }

  namespace molmoact_ros {
    namespace msg {
      export interface VisualTrace {
        header: std_msgs.msg.Header;
        width: number;
        height: number;
        u: number[] | Float32Array;
        v: number[] | Float32Array;
      }
      export interface VisualTraceConstructor {
        new (other?: VisualTrace): VisualTrace;
      }
      export interface ActionReasoning {
        header: std_msgs.msg.Header;
        completed: builtin_interfaces.msg.Time;
        instruction: string;
        model: string;
        depth_rows: number;
        depth_cols: number;
        depth_tokens: number[] | Uint16Array;
        trace: molmoact_ros.msg.VisualTrace;
        trace_overridden: boolean;
        trace_points: geometry_msgs.msg.Point[];
        trace_points_valid: boolean[];
        action_space: string;
        chunk_length: number;
        action_dim: number;
        actions: number[] | Float64Array;
        stage_names: string[];
        stage_ms: number[] | Float64Array;
      }
      export interface ActionReasoningConstructor {
        new (other?: ActionReasoning): ActionReasoning;
      }
    }
  }

  type MessagesMap = {
    'string': string,
    'action_msgs/msg/GoalInfo': action_msgs.msg.GoalInfo,
    'action_msgs/msg/GoalStatus': action_msgs.msg.GoalStatus,
    'action_msgs/msg/GoalStatusArray': action_msgs.msg.GoalStatusArray,
    'action_msgs/srv/CancelGoal_Request': action_msgs.srv.CancelGoal_Request,
    'action_msgs/srv/CancelGoal_Response': action_msgs.srv.CancelGoal_Response,
    'builtin_interfaces/msg/Duration': builtin_interfaces.msg.Duration,
    'builtin_interfaces/msg/Time': builtin_interfaces.msg.Time,
    'control_msgs/msg/JointComponentTolerance': control_msgs.msg.JointComponentTolerance,
    'control_msgs/msg/JointTolerance': control_msgs.msg.JointTolerance,
    'control_msgs/action/FollowJointTrajectory_Feedback': control_msgs.action.FollowJointTrajectory_Feedback,
    'control_msgs/action/FollowJointTrajectory_Goal': control_msgs.action.FollowJointTrajectory_Goal,
    'control_msgs/action/FollowJointTrajectory_Result': control_msgs.action.FollowJointTrajectory_Result,
    'diagnostic_msgs/msg/DiagnosticArray': diagnostic_msgs.msg.DiagnosticArray,
    'diagnostic_msgs/msg/DiagnosticStatus': diagnostic_msgs.msg.DiagnosticStatus,
    'diagnostic_msgs/msg/KeyValue': diagnostic_msgs.msg.KeyValue,
    'geometry_msgs/msg/Point': geometry_msgs.msg.Point,
    'geometry_msgs/msg/PointStamped': geometry_msgs.msg.PointStamped,
    'geometry_msgs/msg/Pose': geometry_msgs.msg.Pose,
    'geometry_msgs/msg/Quaternion': geometry_msgs.msg.Quaternion,
    'geometry_msgs/msg/Transform': geometry_msgs.msg.Transform,
    'geometry_msgs/msg/Twist': geometry_msgs.msg.Twist,
    'geometry_msgs/msg/Vector3': geometry_msgs.msg.Vector3,
    'lifecycle_msgs/msg/State': lifecycle_msgs.msg.State,
    'lifecycle_msgs/msg/Transition': lifecycle_msgs.msg.Transition,
    'molmoact_ros/msg/ActionReasoning': molmoact_ros.msg.ActionReasoning,
    'molmoact_ros/msg/VisualTrace': molmoact_ros.msg.VisualTrace,
    'rcl_interfaces/msg/FloatingPointRange': rcl_interfaces.msg.FloatingPointRange,
    'rcl_interfaces/msg/IntegerRange': rcl_interfaces.msg.IntegerRange,
    'rcl_interfaces/msg/Log': rcl_interfaces.msg.Log,
    'rcl_interfaces/msg/Parameter': rcl_interfaces.msg.Parameter,
    'rcl_interfaces/msg/ParameterDescriptor': rcl_interfaces.msg.ParameterDescriptor,
    'rcl_interfaces/msg/ParameterEvent': rcl_interfaces.msg.ParameterEvent,
    'rcl_interfaces/msg/ParameterValue': rcl_interfaces.msg.ParameterValue,
    'rcl_interfaces/msg/SetParametersResult': rcl_interfaces.msg.SetParametersResult,
    'sensor_msgs/msg/CameraInfo': sensor_msgs.msg.CameraInfo,
    'sensor_msgs/msg/CompressedImage': sensor_msgs.msg.CompressedImage,
    'sensor_msgs/msg/Image': sensor_msgs.msg.Image,
    'sensor_msgs/msg/JointState': sensor_msgs.msg.JointState,
    'sensor_msgs/msg/RegionOfInterest': sensor_msgs.msg.RegionOfInterest,
    'std_msgs/msg/ColorRGBA': std_msgs.msg.ColorRGBA,
    'std_msgs/msg/Header': std_msgs.msg.Header,
    'std_msgs/msg/String': std_msgs.msg.String,
    'std_srvs/srv/SetBool_Request': std_srvs.srv.SetBool_Request,
    'std_srvs/srv/SetBool_Response': std_srvs.srv.SetBool_Response,
    'std_srvs/srv/Trigger_Request': std_srvs.srv.Trigger_Request,
    'std_srvs/srv/Trigger_Response': std_srvs.srv.Trigger_Response,
    'trajectory_msgs/msg/JointTrajectory': trajectory_msgs.msg.JointTrajectory,
    'trajectory_msgs/msg/JointTrajectoryPoint': trajectory_msgs.msg.JointTrajectoryPoint,
    'trajectory_msgs/msg/MultiDOFJointTrajectory': trajectory_msgs.msg.MultiDOFJointTrajectory,
    'trajectory_msgs/msg/MultiDOFJointTrajectoryPoint': trajectory_msgs.msg.MultiDOFJointTrajectoryPoint,
    'unique_identifier_msgs/msg/UUID': unique_identifier_msgs.msg.UUID,
    'visualization_msgs/msg/Marker': visualization_msgs.msg.Marker,
    'visualization_msgs/msg/MarkerArray': visualization_msgs.msg.MarkerArray,
    'visualization_msgs/msg/MeshFile': visualization_msgs.msg.MeshFile,
    'visualization_msgs/msg/UVCoordinate': visualization_msgs.msg.UVCoordinate,
  };
  type MessageTypeClassName = keyof MessagesMap;
  type Message = MessagesMap[MessageTypeClassName];
  type MessageType<T> = T extends MessageTypeClassName ? MessagesMap[T] : T extends new (...args: any[]) => infer R ? R : object;

  type MessageTypeClassConstructorMap = {
    'string': never,
    'action_msgs/msg/GoalInfo': action_msgs.msg.GoalInfoConstructor,
    'action_msgs/msg/GoalStatus': action_msgs.msg.GoalStatusConstructor,
    'action_msgs/msg/GoalStatusArray': action_msgs.msg.GoalStatusArrayConstructor,
    'action_msgs/srv/CancelGoal_Request': action_msgs.srv.CancelGoal_RequestConstructor,
    'action_msgs/srv/CancelGoal_Response': action_msgs.srv.CancelGoal_ResponseConstructor,
    'builtin_interfaces/msg/Duration': builtin_interfaces.msg.DurationConstructor,
    'builtin_interfaces/msg/Time': builtin_interfaces.msg.TimeConstructor,
    'control_msgs/msg/JointComponentTolerance': control_msgs.msg.JointComponentToleranceConstructor,
    'control_msgs/msg/JointTolerance': control_msgs.msg.JointToleranceConstructor,
    'control_msgs/action/FollowJointTrajectory_Feedback': control_msgs.action.FollowJointTrajectory_FeedbackConstructor,
    'control_msgs/action/FollowJointTrajectory_Goal': control_msgs.action.FollowJointTrajectory_GoalConstructor,
    'control_msgs/action/FollowJointTrajectory_Result': control_msgs.action.FollowJointTrajectory_ResultConstructor,
    'diagnostic_msgs/msg/DiagnosticArray': diagnostic_msgs.msg.DiagnosticArrayConstructor,
    'diagnostic_msgs/msg/DiagnosticStatus': diagnostic_msgs.msg.DiagnosticStatusConstructor,
    'diagnostic_msgs/msg/KeyValue': diagnostic_msgs.msg.KeyValueConstructor,
    'geometry_msgs/msg/Point': geometry_msgs.msg.PointConstructor,
    'geometry_msgs/msg/PointStamped': geometry_msgs.msg.PointStampedConstructor,
    'geometry_msgs/msg/Pose': geometry_msgs.msg.PoseConstructor,
    'geometry_msgs/msg/Quaternion': geometry_msgs.msg.QuaternionConstructor,
    'geometry_msgs/msg/Transform': geometry_msgs.msg.TransformConstructor,
    'geometry_msgs/msg/Twist': geometry_msgs.msg.TwistConstructor,
    'geometry_msgs/msg/Vector3': geometry_msgs.msg.Vector3Constructor,
    'lifecycle_msgs/msg/State': lifecycle_msgs.msg.StateConstructor,
    'lifecycle_msgs/msg/Transition': lifecycle_msgs.msg.TransitionConstructor,
    'molmoact_ros/msg/ActionReasoning': molmoact_ros.msg.ActionReasoningConstructor,
    'molmoact_ros/msg/VisualTrace': molmoact_ros.msg.VisualTraceConstructor,
    'rcl_interfaces/msg/FloatingPointRange': rcl_interfaces.msg.FloatingPointRangeConstructor,
    'rcl_interfaces/msg/IntegerRange': rcl_interfaces.msg.IntegerRangeConstructor,
    'rcl_interfaces/msg/Log': rcl_interfaces.msg.LogConstructor,
    'rcl_interfaces/msg/Parameter': rcl_interfaces.msg.ParameterConstructor,
    'rcl_interfaces/msg/ParameterDescriptor': rcl_interfaces.msg.ParameterDescriptorConstructor,
    'rcl_interfaces/msg/ParameterEvent': rcl_interfaces.msg.ParameterEventConstructor,
    'rcl_interfaces/msg/ParameterValue': rcl_interfaces.msg.ParameterValueConstructor,
    'rcl_interfaces/msg/SetParametersResult': rcl_interfaces.msg.SetParametersResultConstructor,
    'sensor_msgs/msg/CameraInfo': sensor_msgs.msg.CameraInfoConstructor,
    'sensor_msgs/msg/CompressedImage': sensor_msgs.msg.CompressedImageConstructor,
    'sensor_msgs/msg/Image': sensor_msgs.msg.ImageConstructor,
    'sensor_msgs/msg/JointState': sensor_msgs.msg.JointStateConstructor,
    'sensor_msgs/msg/RegionOfInterest': sensor_msgs.msg.RegionOfInterestConstructor,
    'std_msgs/msg/ColorRGBA': std_msgs.msg.ColorRGBAConstructor,
    'std_msgs/msg/Header': std_msgs.msg.HeaderConstructor,
    'std_msgs/msg/String': std_msgs.msg.StringConstructor,
    'std_srvs/srv/SetBool_Request': std_srvs.srv.SetBool_RequestConstructor,
    'std_srvs/srv/SetBool_Response': std_srvs.srv.SetBool_ResponseConstructor,
    'std_srvs/srv/Trigger_Request': std_srvs.srv.Trigger_RequestConstructor,
    'std_srvs/srv/Trigger_Response': std_srvs.srv.Trigger_ResponseConstructor,
    'trajectory_msgs/msg/JointTrajectory': trajectory_msgs.msg.JointTrajectoryConstructor,
    'trajectory_msgs/msg/JointTrajectoryPoint': trajectory_msgs.msg.JointTrajectoryPointConstructor,
    'trajectory_msgs/msg/MultiDOFJointTrajectory': trajectory_msgs.msg.MultiDOFJointTrajectoryConstructor,
    'trajectory_msgs/msg/MultiDOFJointTrajectoryPoint': trajectory_msgs.msg.MultiDOFJointTrajectoryPointConstructor,
    'unique_identifier_msgs/msg/UUID': unique_identifier_msgs.msg.UUIDConstructor,
    'visualization_msgs/msg/Marker': visualization_msgs.msg.MarkerConstructor,
    'visualization_msgs/msg/MarkerArray': visualization_msgs.msg.MarkerArrayConstructor,
    'visualization_msgs/msg/MeshFile': visualization_msgs.msg.MeshFileConstructor,
    'visualization_msgs/msg/UVCoordinate': visualization_msgs.msg.UVCoordinateConstructor,
  };
  type MessageConstructorType<T> = T extends MessageTypeClassName ? MessageTypeClassConstructorMap[T] : object;

  type ServicesMap = {
    'action_msgs/srv/CancelGoal': action_msgs.srv.CancelGoalConstructor,
    'std_srvs/srv/SetBool': std_srvs.srv.SetBoolConstructor,
    'std_srvs/srv/Trigger': std_srvs.srv.TriggerConstructor,
  };
  type ServiceTypeClassName = keyof ServicesMap;
  type Service = ServicesMap[ServiceTypeClassName];
  type ServiceType<T> = T extends ServiceTypeClassName ? ServicesMap[T] : T extends { Request: any; Response: any } ? T : object;

  type ActionsMap = {
    'control_msgs/action/FollowJointTrajectory': control_msgs.action.FollowJointTrajectoryConstructor,
  };
  type ActionTypeClassName = keyof ActionsMap;
  type Action = ActionsMap[ActionTypeClassName];
  type ActionType<T> = T extends ActionTypeClassName ? ActionsMap[T] : T extends { Goal: any; Feedback: any; Result: any } ? T : object;

  type TypeClassName = MessageTypeClassName | ServiceTypeClassName | ActionTypeClassName;
  type InterfaceType<T> = T extends TypeClassName ? (MessageTypeClassConstructorMap & ServicesMap & ActionsMap)[T] : object;
}
