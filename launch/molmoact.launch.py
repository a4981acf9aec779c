"""Start the molmoact node (and, on request, rviz2 with the reasoning displays).

    ros2 launch molmoact_ros molmoact.launch.py
    ros2 launch molmoact_ros molmoact.launch.py robot:=ur5e model:=/data/models/my-model rviz:=true
    ros2 launch molmoact_ros molmoact.launch.py robot:=panda sim:=gazebo
    ros2 launch molmoact_ros molmoact.launch.py config:=/path/to/my_robot.yaml namespace:=arm1
    ros2 launch molmoact_ros molmoact.launch.py model:=models/molmoact2-droid robot:=panda server:=http://gpu-box:8000
    ros2 launch molmoact_ros molmoact.launch.py camera:=/camera/camera namespace:=left_arm

The node's input topics are relative (camera/color/image_raw, camera/aligned_depth_to_color/
image_raw, camera/color/camera_info, joint_states, robot_description), so `namespace` moves them
with the node, as it moves the controller topics of the presets; `camera` and `joint_states`
remap them to where a driver publishes (realsense2_camera 4.x: camera:=/camera/camera).

The node's parameters go to it as command-line ROS arguments in this order: the robot preset
(`robot`: config/robots/<robot>.yaml), the simulator preset (`sim`: config/robots/sim/<sim>.yaml),
the model's own parameter file (`params.yaml` in the folder `model` names, if it has one: what
the model needs, e.g. a remote model's execution policy), the parameter file (`config`), then
`use_sim_time` when it is given, `model_dir` when `model` is given, `remote_server` when `server`
is given and `robot_description_file` when `urdf` is given, so the later ones win. Without
`use_sim_time` the parameter files decide (the simulator presets turn it on); rviz2 follows the
same choice.

They are not handed to launch_ros as a dictionary: launch_ros writes such a dictionary under the
node's fully qualified name (`/molmoact:`), and rclnodejs only applies parameter-file entries
keyed `/**` or by the bare node name, so it would drop them without a word. For the same reason a
parameter file for this node must use the `/**:` key (or `molmoact:`), as config/params.yaml and
the presets do.
"""

import os
import tempfile

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.actions import OpaqueFunction
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

PACKAGE = 'molmoact_ros'
NODE_NAME = 'molmoact'
TRUE_WORDS = ('true', '1', 'yes', 'on')


def _is_true(text):
    return text.strip().lower() in TRUE_WORDS


def _available(folder):
    """Names of the presets (<name>.yaml) in a folder of the package's share."""
    if not os.path.isdir(folder):
        return []
    return sorted(name[:-len('.yaml')] for name in os.listdir(folder) if name.endswith('.yaml'))


def _preset(share, kind, name, *subfolders):
    """Path of a robot or simulator preset; an unknown name raises an error listing the known ones."""
    folder = os.path.join(share, 'config', 'robots', *subfolders)
    available = _available(folder)
    if name not in available:
        raise ValueError(
            f'{kind}: unknown preset {name!r}; available: {", ".join(available) or "none"} '
            f'(files in {folder}), or \'\' for none')
    return os.path.join(folder, name + '.yaml')


def _yaml_string(text):
    # `-p name:=value` values are parsed as YAML: quote so that a path such as "2024" or "on"
    # stays a string.
    return "'" + text.replace("'", "''") + "'"


def _namespaced_rviz_config(share, namespace):
    """Return the rviz config, its /molmoact/... topics moved under the launch namespace."""
    source = os.path.join(share, 'rviz', 'molmoact.rviz')
    ns = namespace.strip().strip('/')
    if not ns:
        return source
    with open(source, encoding='utf-8') as f:
        text = f.read()
    text = text.replace('/' + NODE_NAME + '/', '/' + ns + '/' + NODE_NAME + '/')
    handle, path = tempfile.mkstemp(prefix='molmoact_', suffix='.rviz')
    with os.fdopen(handle, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


CAMERA_TOPICS = ('color/image_raw', 'aligned_depth_to_color/image_raw', 'color/camera_info')


def _input_remappings(camera, joint_states):
    """Remaps of the node's relative camera and joint-state topics; none for the defaults."""
    remaps = []
    if camera != 'camera':
        remaps += [('camera/' + topic, camera + '/' + topic) for topic in CAMERA_TOPICS]
    if joint_states != 'joint_states':
        remaps.append(('joint_states', joint_states))
    return remaps


def _launch_setup(context):
    share = get_package_share_directory(PACKAGE)
    robot = LaunchConfiguration('robot').perform(context).strip()
    sim = LaunchConfiguration('sim').perform(context).strip()
    config = LaunchConfiguration('config').perform(context).strip()
    model = LaunchConfiguration('model').perform(context).strip()
    urdf = LaunchConfiguration('urdf').perform(context).strip()
    server = LaunchConfiguration('server').perform(context).strip()
    namespace = LaunchConfiguration('namespace').perform(context).strip()
    sim_time_text = LaunchConfiguration('use_sim_time').perform(context).strip()
    log_level = LaunchConfiguration('log_level').perform(context).strip()
    camera = LaunchConfiguration('camera').perform(context).strip().rstrip('/') or 'camera'
    joint_states = LaunchConfiguration('joint_states').perform(context).strip() or 'joint_states'

    # Presets first, so that the user's parameter file and -p overrides win over them.
    param_files = []
    if robot:
        param_files.append(_preset(share, 'robot', robot))
    if sim:
        param_files.append(_preset(share, 'sim', sim, 'sim'))
    # Given: as given. Not given: on with a simulator preset, off otherwise (the node decides the
    # same way from the parameter files, unless `config` sets use_sim_time itself).
    use_sim_time = _is_true(sim_time_text) if sim_time_text else bool(sim)

    if model:
        # Relative model folders are the package's, as the node resolves model_dir.
        model_dir = model if os.path.isabs(model) else os.path.join(share, model)
        if not os.path.isfile(os.path.join(model_dir, 'manifest.yaml')):
            raise FileNotFoundError(f'model: no manifest.yaml in {model_dir}')
        model_params = os.path.join(model_dir, 'params.yaml')
        if os.path.isfile(model_params):
            param_files.append(model_params)

    if config and not os.path.isfile(config):
        # rcl would stop the node with a terse parse error; say which file is missing instead.
        raise FileNotFoundError(f'config: no such parameter file: {config}')

    if config:
        param_files.append(config)

    ros_args = ['--ros-args']
    for path in param_files:
        ros_args += ['--params-file', path]
    if sim_time_text:
        ros_args += ['-p', 'use_sim_time:=' + ('true' if use_sim_time else 'false')]
    if model:
        ros_args += ['-p', 'model_dir:=' + _yaml_string(model)]
    if server:
        ros_args += ['-p', 'remote_server:=' + _yaml_string(server)]
    if urdf:
        ros_args += ['-p', 'robot_description_file:=' + _yaml_string(urdf)]
    if log_level:
        ros_args += ['--log-level', log_level]
    ros_args += ['--']

    actions = [
        Node(
            package=PACKAGE,
            executable='molmoact_node',
            name=NODE_NAME,
            namespace=namespace,
            arguments=ros_args,
            remappings=_input_remappings(camera, joint_states),
            output='screen',
            emulate_tty=True,
        ),
    ]

    if _is_true(LaunchConfiguration('rviz').perform(context)):
        actions.append(
            Node(
                package='rviz2',
                executable='rviz2',
                name='rviz2',
                arguments=['-d', _namespaced_rviz_config(share, namespace)],
                parameters=[{'use_sim_time': use_sim_time}],
                output='screen',
            )
        )
    return actions


def generate_launch_description():
    share = get_package_share_directory(PACKAGE)
    robots = ', '.join(_available(os.path.join(share, 'config', 'robots')))
    sims = ', '.join(_available(os.path.join(share, 'config', 'robots', 'sim')))
    return LaunchDescription([
        DeclareLaunchArgument(
            'robot',
            default_value='',
            description=f'Robot preset from config/robots ({robots}); empty (the default): '
                        'none, the parameter defaults (a Panda on arm_controller).',
        ),
        DeclareLaunchArgument(
            'sim',
            default_value='',
            description=f'Simulator preset from config/robots/sim ({sims}), applied after the '
                        'robot preset; \'\' for a real robot.',
        ),
        DeclareLaunchArgument(
            'config',
            default_value=os.path.join(share, 'config', 'params.yaml'),
            description='ROS parameter file for the node (top-level key "/**").',
        ),
        DeclareLaunchArgument(
            'model',
            default_value='',
            description='Model folder (holding manifest.yaml); empty: the parameter file\'s '
                        'model_dir.',
        ),
        DeclareLaunchArgument(
            'server',
            default_value='',
            description='Remote models: the model server as scheme://host:port (e.g. '
                        'http://gpu-box:8000), replacing the manifest\'s; empty: the manifest\'s.',
        ),
        DeclareLaunchArgument(
            'urdf',
            default_value='',
            description='URDF file of the arm (relative paths are resolved against the package, '
                        'e.g. config/robots/urdf/panda.urdf); empty: the parameter files\' '
                        'robot_description_file, else the URDF on /robot_description.',
        ),
        DeclareLaunchArgument(
            'camera',
            default_value='camera',
            description='Where the camera driver publishes: the node reads <camera>/color/image_raw, '
                        '<camera>/aligned_depth_to_color/image_raw and <camera>/color/camera_info '
                        '(relative names are in the node\'s namespace; realsense2_camera 4.x: '
                        '/camera/camera).',
        ),
        DeclareLaunchArgument(
            'joint_states',
            default_value='joint_states',
            description='The arm\'s sensor_msgs/JointState topic (relative: in the node\'s namespace).',
        ),
        DeclareLaunchArgument(
            'namespace',
            default_value='',
            description='Namespace for the node; its ~/ topics become /<namespace>/molmoact/...',
        ),
        DeclareLaunchArgument(
            'use_sim_time',
            default_value='',
            description='Use the /clock topic (simulation, rosbag replay) as time source: true or '
                        'false; empty: as the parameter files say (true with a sim preset).',
        ),
        DeclareLaunchArgument(
            'rviz',
            default_value='false',
            description='Also start rviz2 with the trace, overlay and depth displays.',
        ),
        DeclareLaunchArgument(
            'log_level',
            default_value='info',
            description='Log level: debug, info, warn, error or fatal (or name:=level).',
        ),
        OpaqueFunction(function=_launch_setup),
    ])
