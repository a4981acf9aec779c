"""The whole loop without hardware: the molmoact node and a simulated robot on a ROS 2 graph.

    ros2 launch molmoact_ros sim.launch.py
    ros2 launch molmoact_ros sim.launch.py episodes:=30 seed:=1 steer:=false rviz:=true

The simulated robot (molmoact-ros sim-robot) plays a Franka Panda and its camera in the tabletop
world: it publishes the camera topics, /joint_states, /robot_description and /tf_static, and
serves the controllers of the `panda` robot preset (the arm's JointTrajectory topic and
FollowJointTrajectory action, the gripper's GripperCommand action) with
joint_trajectory_controller's semantics. For each episode it turns the node's actuation off,
resets the world, gives the instruction (and, steered, a person's trace), turns actuation on and
judges success. When the episodes are done it prints one JSON line (success_rate, episodes,
per_task) and the launch ends.

The node is started by molmoact.launch.py with robot:=panda and the other arguments given here.
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.actions import EmitEvent
from launch.actions import IncludeLaunchDescription
from launch.actions import OpaqueFunction
from launch.actions import RegisterEventHandler
from launch.event_handlers import OnProcessExit
from launch.events import Shutdown
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

PACKAGE = 'molmoact_ros'
TRUE_WORDS = ('true', '1', 'yes', 'on')


def _is_true(text):
    return text.strip().lower() in TRUE_WORDS


def _launch_setup(context):
    share = get_package_share_directory(PACKAGE)
    value = lambda name: LaunchConfiguration(name).perform(context).strip()  # noqa: E731
    namespace = value('namespace').strip('/')
    sim_time = _is_true(value('use_sim_time'))

    node = IncludeLaunchDescription(
        PythonLaunchDescriptionSource(os.path.join(share, 'launch', 'molmoact.launch.py')),
        launch_arguments={
            'robot': 'panda',
            'model': value('model'),
            'config': value('config') or os.path.join(share, 'config', 'params.yaml'),
            'namespace': namespace,
            'use_sim_time': 'true' if sim_time else 'false',
            'rviz': value('rviz'),
            'log_level': value('log_level'),
        }.items(),
    )

    arguments = [
        '--episodes', value('episodes'),
        '--seed', value('seed'),
        '--task', value('task'),
        '--max-seconds', value('max_seconds'),
        '--molmoact', '/' + (namespace + '/' if namespace else '') + 'molmoact',
    ]
    if _is_true(value('steer')):
        arguments.append('--steer')
    if sim_time:
        arguments.append('--sim-time')
    robot = Node(
        package=PACKAGE,
        executable='molmoact_sim_robot',
        name='sim_robot',
        namespace=namespace,
        arguments=arguments,
        output='screen',
        emulate_tty=True,
    )
    # The episodes done, the launch ends (and with it the node).
    done = RegisterEventHandler(OnProcessExit(target_action=robot, on_exit=[EmitEvent(event=Shutdown(reason='episodes done'))]))
    return [node, robot, done]


def generate_launch_description():
    return LaunchDescription([
        DeclareLaunchArgument('episodes', default_value='30', description='Episodes to run.'),
        DeclareLaunchArgument('seed', default_value='1', description='Seed of the worlds and tasks (as molmoact-ros sim --seed).'),
        DeclareLaunchArgument('task', default_value='all', description='all, or a comma list of pick, place, left_of, right_of.'),
        DeclareLaunchArgument('steer', default_value='false', description='A person\'s trace leads to another object than the instruction names.'),
        DeclareLaunchArgument('max_seconds', default_value='15', description='Seconds before an episode is given up.'),
        DeclareLaunchArgument('model', default_value='', description='Model folder for the node (empty: the default model).'),
        DeclareLaunchArgument('config', default_value='', description='Parameter file for the node (empty: config/params.yaml).'),
        DeclareLaunchArgument('namespace', default_value='', description='Namespace of both nodes.'),
        DeclareLaunchArgument('use_sim_time', default_value='false', description='The simulated robot publishes /clock and the node follows it.'),
        DeclareLaunchArgument('rviz', default_value='false', description='Also start rviz2 with the reasoning displays.'),
        DeclareLaunchArgument('log_level', default_value='info', description='The node\'s log level.'),
        OpaqueFunction(function=_launch_setup),
    ])
