#!/usr/bin/env node
/**
 * molmoact-ros: the command-line front end.
 *   molmoact-ros demo   a short closed-loop demo in the tabletop world (npm start)
 *   molmoact-ros node   run the ROS 2 node (needs a sourced ROS 2 and rclnodejs)
 *   molmoact-ros sim-robot  the tabletop world as a robot on a ROS 2 graph (needs ROS 2)
 *   molmoact-ros bench  time each part of a reasoning step (no ROS 2 needed)
 *   molmoact-ros bench-ros  the node on a real ROS 2 graph fed at camera rate (needs ROS 2)
 *   molmoact-ros check-robot  random FK -> IK round trips on an arm's URDF (no ROS 2 needed)
 *   molmoact-ros check-model  one frame through a model (a remote server too) and the planner
 *   molmoact-ros serve-synthetic  a synthetic model server for a remote manifest (no GPU needed)
 *   molmoact-ros sim      closed-loop episodes in the tabletop world
 *   molmoact-ros dataset  expert demonstrations in the tabletop world, for training
 */
import { ReasonerInitError } from '../../inference/reasoner.js';
import { UsageError } from '../../config/command_line.js';

const USAGE = `usage: molmoact-ros <command> [options]

commands:
  demo    a short closed-loop demo of the bundled model in the tabletop world (npm start):
          success rate, step times, pictures and MCAP recordings in out/demo
  node    run the ROS 2 node (ROS arguments after --ros-args are passed to ROS)
  sim-robot
          the tabletop world as a simulated robot on a ROS 2 graph, for the node
          (ros2 launch molmoact_ros sim.launch.py; --help for the options)
  bench   time each part of a reasoning step on a synthetic 640x480 RGB-D frame
          (molmoact-ros bench --help for its options)
  bench-ros
          the node on a real ROS 2 graph, fed RGB-D sets at camera rate by another process:
          sets matched, step times, the node's CPU share (--help for the options)
  check-robot
          check inverse kinematics on an arm: random forward -> inverse round trips over
          its joint limits (molmoact-ros check-robot --robot panda; --help for the options)
  check-model
          send one frame to a model (a remote model's server too): its reasoning, the round
          trip and what the arm would be sent (molmoact-ros check-model --model DIR; --help)
  serve-synthetic
          a synthetic server in a remote model's protocol, to try the remote path without a
          GPU (molmoact-ros serve-synthetic --model models/molmoact2-droid; --help)
  sim     closed-loop episodes in the tabletop world with a model (or the scripted expert):
          success rate, step times, pictures and MCAP recordings (--help for the options)
  dataset write demonstrations of the scripted expert in the tabletop world for training
          (molmoact-ros dataset --out DIR; --help for the options)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'node': {
      const { runNode } = await import('../ros/main.js');
      return runNode();
    }
    case 'sim-robot': {
      const { runSimRobot } = await import('../ros/main.js');
      return runSimRobot(rest);
    }
    case 'bench-ros': {
      const { runBenchRos } = await import('../ros/bench_ros.js');
      return runBenchRos(rest);
    }
    case 'bench': {
      const { runBench } = await import('./bench.js');
      return runBench(rest);
    }
    case 'check-robot': {
      const { runCheckRobot } = await import('./check_robot.js');
      return runCheckRobot(rest);
    }
    case 'check-model': {
      const { runCheckModel } = await import('./check_model.js');
      return runCheckModel(rest);
    }
    case 'serve-synthetic': {
      const { runServeSynthetic } = await import('./serve_synthetic.js');
      return runServeSynthetic(rest);
    }
    case 'demo': {
      // The README's first command: a short closed-loop run of the bundled model, with pictures.
      const { runSim } = await import('./sim.js');
      return runSim(['--episodes', '10', '--out', 'out/demo', '--record', '3', ...rest]);
    }
    case 'sim': {
      const { runSim } = await import('./sim.js');
      return runSim(rest);
    }
    case 'dataset': {
      const { runDataset } = await import('./dataset.js');
      return runDataset(rest);
    }
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`molmoact-ros: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`molmoact-ros ${argv[0]}: ${err.message} (molmoact-ros ${argv[0]} --help)`);
      process.exitCode = 2;
      return;
    }
    // A model that cannot be loaded is the user's to fix, and its message says how: one line.
    // Anything else is a bug, and its stack is what a report needs.
    const message = err instanceof ReasonerInitError ? err.message : ((err as Error).stack ?? String(err));
    console.error(`molmoact-ros: ${message}`);
    process.exitCode = 1;
  },
);
