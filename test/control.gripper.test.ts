import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { gripperTarget, type GripperConfig } from '../src/core/control/gripper.js';
import { parseUrdf } from '../src/core/kinematics/urdf.js';

function urdfText(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../config/robots/urdf/${name}.urdf`, import.meta.url)), 'utf8');
}

/** The wx250s URDF with the right finger's <joint> element rewritten by `edit`. */
function wx250sWithRightFinger(edit: (joint: string) => string): string {
  const xml = urdfText('wx250s');
  const start = xml.indexOf('<joint name="right_finger"');
  const end = xml.indexOf('</joint>', start);
  expect(start).to.be.greaterThan(0);
  return xml.slice(0, start) + edit(xml.slice(start, end)) + xml.slice(end);
}

/** BridgeData V2 (WidowX): a gripper value of 1 means open. */
const bridge: GripperConfig = { joints: ['left_finger'], openPosition: 0.037, closedPosition: 0.015, threshold: 0.5, invert: false };
/** LIBERO (Panda): +1 closes, -1 opens. */
const libero: GripperConfig = { joints: ['panda_finger_joint1'], openPosition: 0.04, closedPosition: 0, threshold: 0, invert: true };

describe('control/gripper', () => {
  const wx250s = parseUrdf(urdfText('wx250s'));
  const panda = parseUrdf(urdfText('panda'));

  it('BridgeData convention: above the threshold is open, at or below it closed', () => {
    const open = gripperTarget(1, bridge, wx250s)!;
    expect(open.closed).to.equal(false);
    expect(open.position).to.equal(0.037);
    const closed = gripperTarget(0, bridge, wx250s)!;
    expect(closed.closed).to.equal(true);
    expect(closed.position).to.equal(0.015);
    expect(gripperTarget(0.51, bridge, wx250s)!.closed).to.equal(false);
    expect(gripperTarget(0.5, bridge, wx250s)!.closed).to.equal(true);
    expect(gripperTarget(0.49, bridge, wx250s)!.closed).to.equal(true);
  });

  it('LIBERO convention with invert: +1 closes, -1 opens', () => {
    const closed = gripperTarget(1, libero, panda)!;
    expect(closed.closed).to.equal(true);
    expect(closed.position).to.equal(0);
    const open = gripperTarget(-1, libero, panda)!;
    expect(open.closed).to.equal(false);
    expect(open.position).to.equal(0.04);
    // The same +1 without invert would open.
    expect(gripperTarget(1, { ...libero, invert: false }, panda)!.closed).to.equal(false);
  });

  it('adds the joints that mimic a gripper joint in the URDF to allNames only (wx250s: right_finger follows left_finger)', () => {
    const target = gripperTarget(1, bridge, wx250s)!;
    // A gripper controller takes its own joints only...
    expect(target.names).to.deep.equal(['left_finger']);
    expect(target.positions).to.deep.equal([0.037]);
    // ...a stream of every joint needs the mimic too (multiplier 1, offset 0 in the bundled URDF).
    expect(target.allNames).to.deep.equal(['left_finger', 'right_finger']);
    expect(target.allPositions).to.deep.equal([0.037, 0.037]);
    expect(gripperTarget(0, bridge, wx250s)!.allPositions).to.deep.equal([0.015, 0.015]);
    // Panda: panda_finger_joint2 mimics panda_finger_joint1.
    const hand = gripperTarget(-1, libero, panda)!;
    expect(hand.allNames).to.deep.equal(['panda_finger_joint1', 'panda_finger_joint2']);
    expect(hand.allPositions).to.deep.equal([0.04, 0.04]);
  });

  it('leaves out configured gripper joints the robot does not have', () => {
    const target = gripperTarget(1, { ...bridge, joints: ['no_such_finger', 'left_finger'] }, wx250s)!;
    expect(target.names).to.deep.equal(['left_finger']);
    expect(gripperTarget(1, { ...bridge, joints: ['no_such_finger'] }, wx250s)).to.equal(null);
  });

  it('applies the mimic multiplier and offset, inside the mimic joint limits', () => {
    // A mirrored right finger as Interbotix describes it: negative travel, multiplier -1, plus an offset.
    const robot = parseUrdf(
      wx250sWithRightFinger((joint) =>
        joint
          .replace(/<limit [^>]*\/>/, '<limit effort="5" lower="-0.04" upper="-0.01" velocity="1"/>')
          .replace(/<mimic [^>]*\/>/, '<mimic joint="left_finger" multiplier="-1" offset="0.002"/>'),
      ),
    );
    const open = gripperTarget(1, bridge, robot)!;
    expect(open.allNames).to.deep.equal(['left_finger', 'right_finger']);
    expect(open.allPositions[0]).to.equal(0.037);
    expect(open.allPositions[1]).to.be.closeTo(-0.037 + 0.002, 1e-15);
    const closed = gripperTarget(0, bridge, robot)!;
    expect(closed.allPositions[1]).to.be.closeTo(-0.015 + 0.002, 1e-15);
    // multiplier 2 would put it at -0.074 + 0.002: clamped to the lower limit.
    const doubled = parseUrdf(
      wx250sWithRightFinger((joint) =>
        joint
          .replace(/<limit [^>]*\/>/, '<limit effort="5" lower="-0.04" upper="-0.01" velocity="1"/>')
          .replace(/<mimic [^>]*\/>/, '<mimic joint="left_finger" multiplier="-2" offset="0.002"/>'),
      ),
    );
    expect(gripperTarget(1, bridge, doubled)!.allPositions).to.deep.equal([0.037, -0.04]);
  });

  it('keeps positions inside the URDF limits whatever the configuration says', () => {
    const wide = gripperTarget(1, { ...bridge, openPosition: 0.1, closedPosition: -0.1 }, wx250s)!;
    expect(wide.allPositions).to.deep.equal([0.037, 0.037]);
    expect(wide.position).to.equal(0.037);
    expect(gripperTarget(0, { ...bridge, openPosition: 0.1, closedPosition: -0.1 }, wx250s)!.allPositions).to.deep.equal([0.015, 0.015]);
  });

  it('without a robot model commands only the configured joints, unclamped', () => {
    const target = gripperTarget(1, { ...bridge, openPosition: 0.1 }, null)!;
    expect(target.names).to.deep.equal(['left_finger']);
    expect(target.positions).to.deep.equal([0.1]);
  });

  it('gives null for a value that is not a finite number, or when no gripper joint is configured', () => {
    expect(gripperTarget(NaN, bridge, wx250s)).to.equal(null);
    expect(gripperTarget(Infinity, bridge, wx250s)).to.equal(null);
    expect(gripperTarget(-Infinity, libero, panda)).to.equal(null);
    expect(gripperTarget(1, { ...bridge, joints: [] }, wx250s)).to.equal(null);
  });
});
