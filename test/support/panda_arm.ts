/**
 * The Franka Panda of the bundled URDF with fixed limits (its documented soft limits, 1 rad/s),
 * as the control tests use it.
 */
import { ArmModel } from '../../src/core/kinematics/arm_model.js';
import { resolvePackagePath } from '../../src/config/package_root.js';
import { loadArmModel } from '../../src/config/robot_files.js';

export const PANDA_JOINTS = ['panda_joint1', 'panda_joint2', 'panda_joint3', 'panda_joint4', 'panda_joint5', 'panda_joint6', 'panda_joint7'];
export const PANDA_READY = [0, -0.785, 0, -2.356, 0, 1.571, 0.785];

export function pandaForTests(): ArmModel {
  return loadArmModel(resolvePackagePath('config/robots/urdf/panda.urdf'), {
    jointNames: PANDA_JOINTS,
    baseLink: 'panda_link0',
    tipLink: 'panda_hand',
    limits: {
      min: [-2.8973, -1.7628, -2.8973, -3.0718, -2.8973, -0.0175, -2.8973],
      max: [2.8973, 1.7628, 2.8973, -0.0698, 2.8973, 3.7525, 2.8973],
      maxVelocity: [1, 1, 1, 1, 1, 1, 1],
      margin: 0.02,
    },
    restPosture: PANDA_READY,
    ikPositionTolerance: 0.001,
    ikOrientationTolerance: 0.01,
  });
}
