import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCheckRobot, type CheckRobotIo } from '../src/apps/cli/check_robot.js';
import { listRobotPresets } from '../src/config/robot_presets.js';
import { packageRoot } from '../src/config/package_root.js';
import { CLI_ENTRY } from './support/cli.js';
import { checkParameterValue, loadParameterSchema } from '../src/config/schema.js';
import { KinematicChain } from '../src/core/kinematics/chain.js';
import { parseUrdf } from '../src/core/kinematics/urdf.js';

const ROBOTS = ['panda', 'ur5e', 'wx250s'];
const robotsDir = join(packageRoot(), 'config', 'robots');

interface Run {
  code: number;
  out: string;
  err: string;
  json: Record<string, any>;
}

async function checkRobot(...argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const io: CheckRobotIo = { out: (t) => void (out += t), err: (t) => void (err += t), errIsTTY: false };
  const code = await runCheckRobot(argv, io);
  const lines = out.trimEnd().split('\n');
  let json: Record<string, any> = {};
  if (argv.includes('--json') && code !== 2) json = JSON.parse(lines[lines.length - 1]);
  return { code, out, err, json };
}

/** The JSON without the fields that are timings. */
function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !key.endsWith('_ms'))
        .map(([key, v]) => [key, withoutTimings(v)]),
    );
  }
  return value;
}

function presetParameters(file: string): Record<string, any> {
  const doc = parse(readFileSync(file, 'utf8'));
  expect(Object.keys(doc), file).to.deep.equal(['/**']);
  expect(Object.keys(doc['/**']), file).to.deep.equal(['ros__parameters']);
  return doc['/**'].ros__parameters;
}

function writeTemp(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'check-robot-')), name);
  writeFileSync(file, text);
  return file;
}

describe('molmoact-ros check-robot', () => {
  for (const robot of ROBOTS) {
    it(`solves random FK -> IK round trips on the bundled ${robot}`, async () => {
      const { code, json } = await checkRobot('--robot', robot, '--trials', '100', '--json');
      const preset = presetParameters(join(robotsDir, `${robot}.yaml`));
      expect(code).to.equal(0);
      expect(json.robot).to.equal(robot);
      expect(json.base).to.equal(preset.base_link);
      expect(json.tip).to.equal(preset.tip_link);
      expect(json.joints).to.deep.equal(preset.joint_names);
      expect(json.rest_posture).to.deep.equal(preset.rest_posture);
      expect(json.trials).to.equal(100);
      expect(json.seed).to.equal(1);
      expect(json.success_rate).to.be.at.least(0.99);
      expect(json.failures).to.equal(Math.round((1 - json.success_rate) * 100));
      for (const key of ['max_position_error_m', 'p99_position_error_m', 'max_orientation_error_rad', 'median_solve_ms', 'p95_solve_ms']) {
        expect(json[key], key).to.be.a('number').and.to.be.at.least(0);
      }
      expect(json.p99_position_error_m).to.be.at.most(json.max_position_error_m);
      expect(json.median_solve_ms).to.be.at.most(json.p95_solve_ms);
      if (json.failures === 0) {
        expect(json.max_position_error_m).to.be.at.most(0.001);
        expect(json.max_orientation_error_rad).to.be.at.most(0.01);
      }
      expect(json.tracking.success_rate).to.be.at.least(0.99);
      expect(json.tracking.median_solve_ms).to.be.a('number');
      expect(json.tracking.max_position_error_m).to.be.a('number');
    });
  }

  it('prints a readable report before the JSON line', async () => {
    const { out } = await checkRobot('--robot', 'wx250s', '--trials', '50', '--json');
    expect(out).to.match(/^check-robot: wx250s/);
    expect(out).to.include('waist, shoulder, elbow, forearm_roll, wrist_angle, wrist_rotate');
    expect(out).to.match(/global: .*\n  success rate \d+\.\d %/);
    expect(out).to.match(/tracking: .*\n  success rate \d+\.\d %/);
    expect(out).to.match(/solve time {3}median [\d.]+ ms, p95 [\d.]+ ms/);
    const lines = out.trimEnd().split('\n');
    expect(lines[lines.length - 2]).to.match(/^PASS: /);
  });

  it('repeats itself exactly for the same seed, timings aside, and differs for another seed', async () => {
    const a = await checkRobot('--robot', 'panda', '--trials', '60', '--seed', '7', '--json');
    const b = await checkRobot('--robot', 'panda', '--trials', '60', '--seed', '7', '--json');
    const c = await checkRobot('--robot', 'panda', '--trials', '60', '--seed', '8', '--json');
    expect(withoutTimings(a.json)).to.deep.equal(withoutTimings(b.json));
    expect(a.json.seed).to.equal(7);
    expect(c.json.seed).to.equal(8);
    expect(c.json.max_position_error_m).to.not.equal(a.json.max_position_error_m);
  });

  it('exits with 1 and says FAIL when too few global solves succeed (no restarts allowed)', async () => {
    const { code, json, out } = await checkRobot('--robot', 'ur5e', '--restarts', '0', '--trials', '100', '--json');
    expect(code).to.equal(1);
    expect(json.success_rate).to.be.below(0.995);
    expect(json.failures).to.be.greaterThan(0);
    expect(json.restarts_used).to.equal(0);
    // Failed solves count in the errors: the largest is beyond the 1 mm / 0.01 rad tolerance.
    expect(json.max_position_error_m > 0.001 || json.max_orientation_error_rad > 0.01).to.equal(true);
    expect(out).to.match(/\nFAIL: /);
  });

  it('checks any URDF with --urdf, --base and --tip, from the middle of the limits', async () => {
    const urdf = join(robotsDir, 'urdf', 'wx250s.urdf');
    const { code, json, out } = await checkRobot('--urdf', urdf, '--tip', 'ee_gripper_link', '--trials', '40', '--json');
    expect(code).to.equal(0);
    expect(json.robot).to.equal('wx250s');
    expect(json.base).to.equal('base_link'); // the URDF's root link
    expect(json.joints).to.have.length(6);
    expect(out).to.include('the middle of the joint limits');
    // The elbow's limits are [-123, 92] degrees: its middle is not 0.
    expect(json.rest_posture[2]).to.be.closeTo((-2.1467549799530254 + 1.6057029118347832) / 2, 1e-6);
  });

  it('fails with exit code 2 and one line for a broken URDF', async () => {
    const missingLink = writeTemp(
      'broken.urdf',
      '<robot name="broken"><link name="a"/><joint name="j1" type="revolute"><parent link="a"/><child link="b"/>' +
        '<limit lower="-1" upper="1"/></joint></robot>',
    );
    const run = await checkRobot('--urdf', missingLink, '--base', 'a', '--tip', 'b', '--json');
    expect(run.code).to.equal(2);
    expect(run.out).to.equal('');
    expect(run.err).to.equal("check-robot: joint 'j1': its child link 'b' is not defined\n");

    const notXml = writeTemp('not_xml.urdf', '<robot name="x"><link name="a"></robot>');
    const run2 = await checkRobot('--urdf', notXml, '--tip', 'a');
    expect(run2.code).to.equal(2);
    expect(run2.err).to.match(/^check-robot: the URDF is not well-formed XML: [^\n]*\n$/);
  });

  it('fails with exit code 2 and one line for a link that is not in the URDF', async () => {
    const run = await checkRobot('--robot', 'panda', '--tip', 'panda_gripper_tcp');
    expect(run.code).to.equal(2);
    expect(run.err).to.equal("check-robot: tip link 'panda_gripper_tcp' is not in the URDF (robot 'panda')\n");
    const reversed = await checkRobot('--robot', 'panda', '--base', 'panda_hand', '--tip', 'panda_link0');
    expect(reversed.code).to.equal(2);
    expect(reversed.err).to.equal("check-robot: tip link 'panda_link0' is not below base link 'panda_hand'\n");
  });

  it('prints no stack trace when run as a command with a broken URDF', () => {
    const file = writeTemp('empty.urdf', '');
    const result = spawnSync(process.execPath, [CLI_ENTRY, 'check-robot', '--urdf', file, '--tip', 'x'], {
      encoding: 'utf8',
    });
    expect(result.status).to.equal(2);
    expect(result.stderr).to.equal('check-robot: the URDF is empty\n');
  });

  it('answers usage errors with exit code 2', async () => {
    for (const argv of [[], ['--trials', '0', '--robot', 'panda'], ['--trials', 'many', '--robot', 'panda'], ['--restarts', '-1', '--robot', 'panda'], ['--frobnicate'], ['panda']]) {
      const run = await checkRobot(...argv);
      expect(run.code, argv.join(' ')).to.equal(2);
      expect(run.err.trimEnd().split('\n'), argv.join(' ')).to.have.length(1);
    }
    const unknown = await checkRobot('--robot', 'kuka');
    expect(unknown.code).to.equal(2);
    expect(unknown.err).to.equal('check-robot: no robot preset \'kuka\' (available: panda, ur5e, wx250s)\n');
    const help = await checkRobot('--help');
    expect(help.code).to.equal(0);
    expect(help.out).to.include('--trials N');
  });
});

describe('robot presets (config/robots)', () => {
  const schema = loadParameterSchema();

  it('bundles a preset and a URDF for each arm', () => {
    expect(listRobotPresets()).to.include.members(ROBOTS);
    for (const robot of listRobotPresets()) expect(existsSync(join(robotsDir, 'urdf', `${robot}.urdf`)), robot).to.equal(true);
  });

  for (const robot of ROBOTS) {
    it(`${robot}: joints, links, rest posture and limits fit its URDF`, () => {
      const file = join(robotsDir, `${robot}.yaml`);
      const p = presetParameters(file);
      const description = parseUrdf(readFileSync(join(robotsDir, 'urdf', `${robot}.urdf`), 'utf8'));
      const names: string[] = p.joint_names;
      for (const name of names) expect(description.joints.has(name), `joint ${name}`).to.equal(true);
      expect(description.links.has(p.base_link), `base_link ${p.base_link}`).to.equal(true);
      expect(description.links.has(p.tip_link), `tip_link ${p.tip_link}`).to.equal(true);
      const chain = new KinematicChain(description, p.base_link, p.tip_link);
      expect(chain.jointNames).to.deep.equal(names);

      expect(p.rest_posture).to.have.length(names.length);
      for (const field of ['joint_position_min', 'joint_position_max', 'joint_velocity_max']) {
        expect(p[field], field).to.be.an('array');
        if (p[field].length > 0) expect(p[field], field).to.have.length(names.length);
      }
      names.forEach((name, i) => {
        const joint = description.joints.get(name)!;
        const rest = p.rest_posture[i];
        expect(rest, `rest_posture of ${name}`).to.be.within(joint.lower, joint.upper);
        if (p.joint_position_min.length > 0) {
          expect(p.joint_position_min[i], `joint_position_min of ${name}`).to.be.at.least(joint.lower);
          expect(p.joint_position_max[i], `joint_position_max of ${name}`).to.be.at.most(joint.upper);
          expect(rest, `rest_posture of ${name}`).to.be.within(p.joint_position_min[i], p.joint_position_max[i]);
        }
        if (p.joint_velocity_max.length > 0) expect(p.joint_velocity_max[i], `joint_velocity_max of ${name}`).to.be.at.most(joint.velocity);
      });
      for (const name of p.gripper_joints ?? []) expect(description.joints.has(name), `gripper joint ${name}`).to.equal(true);
      for (let axis = 0; axis < 3; axis++) expect(p.workspace_min[axis]).to.be.below(p.workspace_max[axis]);

      // The commented alternative names the bundled URDF.
      const text = readFileSync(file, 'utf8');
      const alternative = /^\s*#\s*robot_description_file:\s*(\S+)\s*$/m.exec(text);
      expect(alternative, 'commented robot_description_file').to.not.equal(null);
      expect(alternative![1]).to.equal(`config/robots/urdf/${robot}.urdf`);
      expect(p.robot_description_file).to.equal(undefined);
    });
  }

  it('panda rests in the ready pose', () => {
    const p = presetParameters(join(robotsDir, 'panda.yaml'));
    expect(p.rest_posture).to.deep.equal([0, -0.785, 0, -2.356, 0, 1.571, 0.785]);
  });

  it('sets only known parameters, with values that fit their declared type (doubles written as doubles)', () => {
    const files = [
      ...ROBOTS.map((robot) => join(robotsDir, `${robot}.yaml`)),
      ...readdirSync(join(robotsDir, 'sim')).map((name) => join(robotsDir, 'sim', name)),
    ];
    expect(files.some((f) => f.endsWith('gazebo.yaml')) && files.some((f) => f.endsWith('isaac.yaml'))).to.equal(true);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith('#'), `${file} starts with a comment`).to.equal(true);
      for (const [name, value] of Object.entries(presetParameters(file))) {
        if (name === 'use_sim_time') {
          expect(value).to.equal(true);
          continue;
        }
        const spec = schema.find((s) => s.name === name);
        expect(spec, `${file}: ${name}`).to.not.equal(undefined);
        expect(() => checkParameterValue(spec!, value), `${file}: ${name}`).to.not.throw();
        if (spec!.type === 'double' || spec!.type === 'double_array') {
          // rcl reads 1 as an integer and 1.0 as a double; a double parameter needs the latter.
          const line = new RegExp(`^\\s*${name}:\\s*(.*)$`, 'm').exec(text)![1];
          for (const token of line.match(/-?[\d.]+(e-?\d+)?/g) ?? []) expect(token, `${file}: ${name}`).to.match(/[.e]/);
        }
      }
    }
  });
});
