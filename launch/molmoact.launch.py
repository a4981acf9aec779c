"""Start the molmoact node (and, on request, rviz2 with the reasoning displays).

    ros2 launch molmoact_ros molmoact.launch.py
    ros2 launch molmoact_ros molmoact.launch.py model:=/data/models/my-model rviz:=true
    ros2 launch molmoact_ros molmoact.launch.py config:=/path/to/my_robot.yaml namespace:=arm1

The node's parameters go to it as command-line ROS arguments in this order: the parameter file
(`config`), then `use_sim_time`, then `model_dir` when `model` is given, so the later ones win.
They are not handed to launch_ros as a dictionary: launch_ros writes such a dictionary under the
node's fully qualified name (`/molmoact:`), and rclnodejs only applies parameter-file entries
keyed `/**` or by the bare node name, so it would drop them without a word. For the same reason a
parameter file for this node must use the `/**:` key (or `molmoact:`), as config/params.yaml does.
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


def _launch_setup(context):
    share = get_package_share_directory(PACKAGE)
    config = LaunchConfiguration('config').perform(context).strip()
    model = LaunchConfiguration('model').perform(context).strip()
    namespace = LaunchConfiguration('namespace').perform(context).strip()
    use_sim_time = _is_true(LaunchConfiguration('use_sim_time').perform(context))
    log_level = LaunchConfiguration('log_level').perform(context).strip()

    if config and not os.path.isfile(config):
        # rcl would stop the node with a terse parse error; say which file is missing instead.
        raise FileNotFoundError(f'config: no such parameter file: {config}')

    ros_args = ['--ros-args']
    if config:
        ros_args += ['--params-file', config]
    ros_args += ['-p', 'use_sim_time:=' + ('true' if use_sim_time else 'false')]
    if model:
        ros_args += ['-p', 'model_dir:=' + _yaml_string(model)]
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
    return LaunchDescription([
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
            'namespace',
            default_value='',
            description='Namespace for the node; its ~/ topics become /<namespace>/molmoact/...',
        ),
        DeclareLaunchArgument(
            'use_sim_time',
            default_value='false',
            description='Use the /clock topic (simulation, rosbag replay) as time source.',
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
