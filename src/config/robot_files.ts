/**
 * Robot models from URDF files on disk (the kinematics themselves read no files: they run in any
 * JavaScript environment).
 */
import { readFileSync } from 'node:fs';
import { ArmModel, type ArmModelOptions } from '../core/kinematics/arm_model.js';
import { UrdfError } from '../core/kinematics/urdf.js';

/** The arm model of a URDF file; a file that cannot be read is a UrdfError naming it. */
export function loadArmModel(file: string, options: ArmModelOptions): ArmModel {
  let xml: string;
  try {
    xml = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UrdfError(`cannot read URDF file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return ArmModel.fromUrdf(xml, options);
}
