import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { jointsBetween, MAX_URDF_BYTES, MAX_URDF_ELEMENTS, parseUrdf, UrdfError, type RobotDescription } from '../src/core/kinematics/urdf.js';

function loadRobot(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../config/robots/urdf/${name}.urdf`, import.meta.url)), 'utf8');
}

/** A minimal robot from link names and joint elements. */
function urdf(links: string[], joints: string[] = []): string {
  return `<?xml version="1.0"?>
<robot name="tiny">
${links.map((l) => `  <link name="${l}"/>`).join('\n')}
${joints.join('\n')}
</robot>`;
}

function revolute(name: string, parent: string, child: string, extra = ''): string {
  return `<joint name="${name}" type="revolute">
    <parent link="${parent}"/><child link="${child}"/>
    <origin xyz="0 0 0.1" rpy="0 0 0"/><axis xyz="0 0 1"/>
    <limit lower="-1" upper="1" velocity="2" effort="1"/>${extra}
  </joint>`;
}

/** The UrdfError thrown by `fn`; fails the test if none (or another error) is thrown. */
function urdfError(fn: () => unknown): UrdfError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(UrdfError);
    expect((error as Error).name).to.equal('UrdfError');
    return error as UrdfError;
  }
  expect.fail('expected a UrdfError');
}

describe('kinematics/urdf', () => {
  describe('the bundled URDFs', () => {
    it('panda: 7 revolute arm joints, two fixed, two prismatic fingers, the second mimicking the first', () => {
      const robot = parseUrdf(loadRobot('panda'));
      expect(robot.name).to.equal('panda');
      expect(robot.links.size).to.equal(12);
      expect(robot.joints.size).to.equal(11);
      const types = [...robot.joints.values()].map((j) => j.type);
      expect(types.filter((t) => t === 'revolute')).to.have.length(7);
      expect(types.filter((t) => t === 'fixed')).to.have.length(2);
      expect(types.filter((t) => t === 'prismatic')).to.have.length(2);

      const j1 = robot.joints.get('panda_joint1')!;
      expect(j1).to.include({ parent: 'panda_link0', child: 'panda_link1', lower: -2.9671, upper: 2.9671, velocity: 2.3925 });
      expect(j1.xyz).to.deep.equal([0, 0, 0.333]);
      expect(j1.axis).to.deep.equal([0, 0, 1]);
      const j4 = robot.joints.get('panda_joint4')!;
      expect([j4.lower, j4.upper]).to.deep.equal([-3.1416, 0.0873]);
      expect(j4.xyz).to.deep.equal([0.0825, 0, 0]);
      expect(j4.rpy).to.deep.equal([Math.PI / 2, 0, 0]);
      const hand = robot.joints.get('panda_hand_joint')!;
      expect(hand.type).to.equal('fixed');
      expect(hand.rpy[2]).to.be.closeTo(-Math.PI / 4, 1e-11);
      // A fixed joint has no limits.
      expect([hand.lower, hand.upper]).to.deep.equal([-Infinity, Infinity]);

      const finger2 = robot.joints.get('panda_finger_joint2')!;
      expect(finger2.mimic).to.deep.equal({ joint: 'panda_finger_joint1', multiplier: 1, offset: 0 });
      expect(finger2.axis).to.deep.equal([0, -1, 0]);
      expect([finger2.lower, finger2.upper, finger2.velocity]).to.deep.equal([0, 0.04, 0.2]);
      expect(robot.joints.get('panda_finger_joint1')!.mimic).to.equal(undefined);
      expect(robot.parentJoint.get('panda_rightfinger')!.name).to.equal('panda_finger_joint2');
      expect(robot.parentJoint.has('panda_link0')).to.equal(false);
    });

    it('ur5e: 6 revolute joints with +-2 pi limits (elbow +-pi), the rest fixed; transmissions are not joints', () => {
      const robot = parseUrdf(loadRobot('ur5e'));
      expect(robot.name).to.equal('ur5e_robot');
      expect(robot.links.size).to.equal(11);
      expect(robot.joints.size).to.equal(10);
      const revolute = [...robot.joints.values()].filter((j) => j.type === 'revolute').map((j) => j.name);
      expect(revolute).to.deep.equal([
        'shoulder_pan_joint',
        'shoulder_lift_joint',
        'elbow_joint',
        'wrist_1_joint',
        'wrist_2_joint',
        'wrist_3_joint',
      ]);
      expect([...robot.joints.values()].filter((j) => j.type === 'fixed')).to.have.length(4);
      const pan = robot.joints.get('shoulder_pan_joint')!;
      expect(pan.lower).to.equal(-2 * Math.PI);
      expect(pan.upper).to.equal(2 * Math.PI);
      expect(pan.velocity).to.equal(Math.PI);
      const elbow = robot.joints.get('elbow_joint')!;
      expect([elbow.lower, elbow.upper]).to.deep.equal([-Math.PI, Math.PI]);
      expect(elbow.xyz).to.deep.equal([-0.425, 0, 0]);
      expect(robot.joints.get('wrist_3_joint')!.rpy).to.deep.equal([Math.PI / 2, Math.PI, Math.PI]);
      expect(robot.joints.get('base_link-base_fixed_joint')).to.include({ parent: 'base_link', child: 'base' });
    });

    it('does not read the <joint> elements of <transmission> blocks as joints', () => {
      const robot = parseUrdf(
        urdf(['a', 'b'], [revolute('j', 'a', 'b')]).replace(
          '</robot>',
          `<transmission name="t"><type>transmission_interface/SimpleTransmission</type>
             <joint name="j"><hardwareInterface>hardware_interface/PositionJointInterface</hardwareInterface></joint>
             <actuator name="m"><mechanicalReduction>1</mechanicalReduction></actuator></transmission></robot>`,
        ),
      );
      expect([...robot.joints.keys()]).to.deep.equal(['j']);
    });

    it('wx250s: 6 arm joints, fixed gripper links, prismatic fingers with right_finger mimicking left_finger', () => {
      const robot = parseUrdf(loadRobot('wx250s'));
      expect(robot.name).to.equal('wx250s');
      expect(robot.links.size).to.equal(14);
      expect(robot.joints.size).to.equal(13);
      const byType = (t: string): string[] => [...robot.joints.values()].filter((j) => j.type === t).map((j) => j.name);
      expect(byType('revolute')).to.deep.equal(['waist', 'shoulder', 'elbow', 'forearm_roll', 'wrist_angle', 'wrist_rotate']);
      expect(byType('prismatic')).to.deep.equal(['left_finger', 'right_finger']);
      expect(byType('fixed')).to.deep.equal(['ee_arm', 'gripper', 'gripper_bar', 'ee_bar', 'ee_gripper']);
      const shoulder = robot.joints.get('shoulder')!;
      expect(shoulder.axis).to.deep.equal([0, 1, 0]);
      expect(shoulder.lower).to.be.closeTo(-1.8849555921538759, 0);
      expect(shoulder.upper).to.be.closeTo(1.9896753472735358, 0);
      const right = robot.joints.get('right_finger')!;
      expect(right.mimic).to.deep.equal({ joint: 'left_finger', multiplier: 1, offset: 0 });
      expect([right.lower, right.upper, right.velocity]).to.deep.equal([0.015, 0.037, 1]);
      expect(right.axis).to.deep.equal([0, -1, 0]);
    });

    it('ignores visuals, collisions, meshes and inertia', () => {
      const withMesh = parseUrdf(
        urdf(['a', 'b'], [revolute('j', 'a', 'b')]).replace(
          '<link name="b"/>',
          `<link name="b"><visual><origin xyz="1 2 3"/><geometry><mesh filename="package://nowhere/b.stl" scale="0.001 0.001 0.001"/></geometry></visual>
           <collision><geometry><box size="1 1 1"/></geometry></collision>
           <inertial><mass value="1"/><origin xyz="not numbers at all"/><inertia ixx="1" ixy="0" ixz="0" iyy="1" iyz="0" izz="1"/></inertial></link>`,
        ),
      );
      expect(withMesh.links).to.deep.equal(new Set(['a', 'b']));
      expect(withMesh.joints.get('j')!.xyz).to.deep.equal([0, 0, 0.1]);
    });

    it('jointsBetween lists the chain from base to tip in order, fixed joints included', () => {
      const panda = parseUrdf(loadRobot('panda'));
      expect(jointsBetween(panda, 'panda_link0', 'panda_hand').map((j) => j.name)).to.deep.equal([
        'panda_joint1',
        'panda_joint2',
        'panda_joint3',
        'panda_joint4',
        'panda_joint5',
        'panda_joint6',
        'panda_joint7',
        'panda_joint8',
        'panda_hand_joint',
      ]);
      expect(jointsBetween(panda, 'panda_link3', 'panda_link5').map((j) => j.name)).to.deep.equal(['panda_joint4', 'panda_joint5']);
      expect(jointsBetween(panda, 'panda_link3', 'panda_link3')).to.deep.equal([]);
      const ur = parseUrdf(loadRobot('ur5e'));
      expect(jointsBetween(ur, 'base_link', 'tool0').map((j) => j.name)).to.deep.equal([
        'base_link-base_link_inertia',
        'shoulder_pan_joint',
        'shoulder_lift_joint',
        'elbow_joint',
        'wrist_1_joint',
        'wrist_2_joint',
        'wrist_3_joint',
        'wrist_3-flange',
        'flange-tool0',
      ]);
    });
  });

  describe('reading joints', () => {
    it('defaults a missing origin to zero and a missing axis to x, and normalises the axis', () => {
      const robot = parseUrdf(
        urdf(['a', 'b', 'c'], [
          '<joint name="j1" type="continuous"><parent link="a"/><child link="b"/></joint>',
          '<joint name="j2" type="prismatic"><parent link="b"/><child link="c"/><axis xyz="0 3 4"/><limit lower="-0.5" upper="0.5"/></joint>',
        ]),
      );
      const j1 = robot.joints.get('j1')!;
      expect(j1.xyz).to.deep.equal([0, 0, 0]);
      expect(j1.rpy).to.deep.equal([0, 0, 0]);
      expect(j1.axis).to.deep.equal([1, 0, 0]);
      expect([j1.lower, j1.upper, j1.velocity]).to.deep.equal([-Infinity, Infinity, Infinity]);
      const j2 = robot.joints.get('j2')!;
      expect(j2.axis[0]).to.equal(0);
      expect(j2.axis[1]).to.be.closeTo(0.6, 1e-15);
      expect(j2.axis[2]).to.be.closeTo(0.8, 1e-15);
      expect([j2.lower, j2.upper, j2.velocity]).to.deep.equal([-0.5, 0.5, Infinity]);
    });

    it('reads a single link and joint (not only lists) and mimic defaults', () => {
      const robot = parseUrdf(
        urdf(['a', 'b', 'c'], [
          revolute('lead', 'a', 'b'),
          revolute('follow', 'b', 'c', '<mimic joint="lead"/>'),
        ]),
      );
      expect(robot.joints.get('follow')!.mimic).to.deep.equal({ joint: 'lead', multiplier: 1, offset: 0 });
      const single = parseUrdf('<robot name="one"><link name="only"/></robot>');
      expect([...single.links]).to.deep.equal(['only']);
      expect(single.joints.size).to.equal(0);
    });

    it('reads mimic multiplier and offset', () => {
      const robot = parseUrdf(
        urdf(['a', 'b', 'c'], [revolute('lead', 'a', 'b'), revolute('follow', 'b', 'c', '<mimic joint="lead" multiplier="-2.5" offset="0.25"/>')]),
      );
      expect(robot.joints.get('follow')!.mimic).to.deep.equal({ joint: 'lead', multiplier: -2.5, offset: 0.25 });
    });

    it('treats a velocity limit of zero as not given', () => {
      const robot = parseUrdf(
        urdf(['a', 'b'], ['<joint name="j" type="revolute"><parent link="a"/><child link="b"/><limit lower="-1" upper="1" velocity="0"/></joint>']),
      );
      expect(robot.joints.get('j')!.velocity).to.equal(Infinity);
    });
  });

  describe('broken URDFs give a UrdfError naming the problem', () => {
    it('an empty or blank document', () => {
      expect(urdfError(() => parseUrdf('')).message).to.match(/empty/);
      expect(urdfError(() => parseUrdf('  \n\t ')).message).to.match(/empty/);
      expect(urdfError(() => parseUrdf(undefined as unknown as string)).message).to.match(/empty/);
    });

    it('text that is not XML', () => {
      expect(urdfError(() => parseUrdf('this is not a robot')).message).to.match(/not well-formed XML/);
      const unclosed = urdfError(() => parseUrdf('<robot name="r">\n<link name="a">\n</robot>'));
      expect(unclosed.message).to.match(/not well-formed XML/);
      expect(unclosed.message).to.match(/line \d+/);
    });

    it('a document without <robot>', () => {
      expect(urdfError(() => parseUrdf('<?xml version="1.0"?><sdf version="1.6"><model name="m"/></sdf>')).message).to.match(
        /no <robot> element/,
      );
    });

    it('a robot without links, or a link without a name', () => {
      expect(urdfError(() => parseUrdf('<robot name="r"></robot>')).message).to.match(/no <link>/);
      expect(urdfError(() => parseUrdf('<robot name="r"><link name="a"/><link/></robot>')).message).to.match(/<link> without a name/);
    });

    it('a joint whose parent or child link is not defined', () => {
      const parent = urdfError(() => parseUrdf(urdf(['b'], [revolute('j', 'ghost', 'b')])));
      expect(parent.message).to.match(/joint 'j'/);
      expect(parent.message).to.match(/parent link 'ghost' is not defined/);
      const child = urdfError(() => parseUrdf(urdf(['a'], [revolute('j', 'a', 'ghost')])));
      expect(child.message).to.match(/child link 'ghost' is not defined/);
    });

    it('a joint without <parent> or <child>', () => {
      const e = urdfError(() => parseUrdf(urdf(['a', 'b'], ['<joint name="j" type="fixed"><child link="b"/></joint>'])));
      expect(e.message).to.match(/joint 'j'.*<parent link/);
    });

    it('a link or a joint defined twice', () => {
      expect(urdfError(() => parseUrdf(urdf(['a', 'b', 'a']))).message).to.match(/link 'a' is defined twice/);
      const e = urdfError(() => parseUrdf(urdf(['a', 'b', 'c'], [revolute('j', 'a', 'b'), revolute('j', 'b', 'c')])));
      expect(e.message).to.match(/joint 'j' is defined twice/);
    });

    it('two joints forming a loop', () => {
      const e = urdfError(() => parseUrdf(urdf(['a', 'b'], [revolute('ab', 'a', 'b'), revolute('ba', 'b', 'a')])));
      expect(e.message).to.match(/loop through link '(a|b)'/);
      // A loop hanging below a proper root gives one of its links a second parent.
      const e3 = urdfError(() =>
        parseUrdf(urdf(['root', 'a', 'b', 'c'], [revolute('r', 'root', 'a'), revolute('ab', 'a', 'b'), revolute('bc', 'b', 'c'), revolute('cb', 'c', 'b')])),
      );
      expect(e3.message).to.match(/link 'b' has two parent joints \('ab' and 'cb'\)/);
      const e4 = urdfError(() => parseUrdf(urdf(['a', 'b', 'c'], [revolute('ab', 'a', 'b'), revolute('bc', 'b', 'c'), revolute('ca', 'c', 'a')])));
      expect(e4.message).to.match(/loop through link '(a|b|c)'/);
    });

    it('XML the parser refuses: reserved names, external entities, nesting too deep', () => {
      const cases = [
        '<robot name="r"><__proto__ name="x"/><link name="a"/></robot>',
        '<robot name="r"><link name="a" __proto__="1"/></robot>',
        '<robot name="r"><constructor/><link name="a"/></robot>',
        '<?xml version="1.0"?><!DOCTYPE robot [<!ENTITY x SYSTEM "file:///etc/passwd">]><robot name="r"><link name="&x;"/></robot>',
        `<robot name="r">${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}<link name="a"/></robot>`,
      ];
      for (const xml of cases) expect(urdfError(() => parseUrdf(xml)).message, xml.slice(0, 60)).to.match(/^the URDF cannot be read: /);
    });

    it('an unexpanded xacro file, named as such', () => {
      const xacro = '<robot xmlns:xacro="http://www.ros.org/wiki/xacro" name="r"><xacro:include filename="arm.xacro"/><xacro:arm prefix=""/></robot>';
      expect(urdfError(() => parseUrdf(xacro)).message).to.match(/looks like a xacro file.*expand it first/);
    });

    it('a description larger than a robot has, refused before it is parsed; long chains up to the bound are read', () => {
      const chain = (n: number) =>
        urdf(
          Array.from({ length: n }, (_, i) => `l${i}`),
          Array.from({ length: n - 1 }, (_, i) => revolute(`j${i + 1}`, `l${i}`, `l${i + 1}`)),
        );
      const longest = parseUrdf(chain(MAX_URDF_ELEMENTS));
      expect(longest.joints.size).to.equal(MAX_URDF_ELEMENTS - 1);
      expect(jointsBetween(longest, 'l0', `l${MAX_URDF_ELEMENTS - 1}`)).to.have.length(MAX_URDF_ELEMENTS - 1);
      expect(urdfError(() => parseUrdf(chain(MAX_URDF_ELEMENTS + 1))).message).to.match(/2001 <link> elements: more than the 2000/);
      const padded = `<robot name="r"><link name="a"/><!--${' '.repeat(MAX_URDF_BYTES)}--></robot>`;
      expect(urdfError(() => parseUrdf(padded)).message).to.match(/MiB: more than the 16 MiB/);
    });

    it('a joint that is its own parent', () => {
      expect(urdfError(() => parseUrdf(urdf(['a'], [revolute('aa', 'a', 'a')]))).message).to.match(/loop through link 'a'/);
    });

    it('a link with two parents', () => {
      const e = urdfError(() => parseUrdf(urdf(['a', 'b', 'c'], [revolute('ac', 'a', 'c'), revolute('bc', 'b', 'c')])));
      expect(e.message).to.match(/link 'c' has two parent joints \('ac' and 'bc'\)/);
    });

    it('an unknown joint type', () => {
      const e = urdfError(() => parseUrdf(urdf(['a', 'b'], ['<joint name="j" type="hinge"><parent link="a"/><child link="b"/></joint>'])));
      expect(e.message).to.match(/joint 'j': unknown type 'hinge'/);
      const missing = urdfError(() => parseUrdf(urdf(['a', 'b'], ['<joint name="j"><parent link="a"/><child link="b"/></joint>'])));
      expect(missing.message).to.match(/joint 'j': unknown type ''/);
    });

    it('a revolute or prismatic joint without <limit>, or with lower above upper', () => {
      for (const type of ['revolute', 'prismatic']) {
        const e = urdfError(() =>
          parseUrdf(urdf(['a', 'b'], [`<joint name="j" type="${type}"><parent link="a"/><child link="b"/><axis xyz="0 0 1"/></joint>`])),
        );
        expect(e.message).to.match(new RegExp(`joint 'j': a ${type} joint needs a <limit> element`));
      }
      const e = urdfError(() =>
        parseUrdf(urdf(['a', 'b'], ['<joint name="j" type="revolute"><parent link="a"/><child link="b"/><limit lower="1" upper="-1"/></joint>'])),
      );
      expect(e.message).to.match(/lower limit 1 is above upper limit -1/);
    });

    it('a non-numeric or malformed origin, axis, limit or mimic value', () => {
      const withOrigin = (origin: string): string =>
        urdf(['a', 'b'], [`<joint name="j" type="fixed"><parent link="a"/><child link="b"/><origin ${origin}/></joint>`]);
      expect(urdfError(() => parseUrdf(withOrigin('xyz="0 zero 0"'))).message).to.match(/joint 'j' <origin xyz>: 'zero' is not a number/);
      expect(urdfError(() => parseUrdf(withOrigin('rpy="0 0 NaN"'))).message).to.match(/<origin rpy>: 'NaN' is not a number/);
      expect(urdfError(() => parseUrdf(withOrigin('xyz="0 0"'))).message).to.match(/<origin xyz>: expected three numbers, got '0 0'/);
      expect(urdfError(() => parseUrdf(withOrigin('xyz="0 0 0 1"'))).message).to.match(/expected three numbers/);
      expect(urdfError(() => parseUrdf(withOrigin('xyz="1 2 Infinity"'))).message).to.match(/'Infinity' is not a number/);
      const limit = urdfError(() =>
        parseUrdf(urdf(['a', 'b'], ['<joint name="j" type="revolute"><parent link="a"/><child link="b"/><limit lower="-1" upper="one"/></joint>'])),
      );
      expect(limit.message).to.match(/<limit upper>: 'one' is not a number/);
      const multiplier = urdfError(() =>
        parseUrdf(urdf(['a', 'b', 'c'], [revolute('lead', 'a', 'b'), revolute('f', 'b', 'c', '<mimic joint="lead" multiplier="x2"/>')])),
      );
      expect(multiplier.message).to.match(/joint 'f' <mimic multiplier>: 'x2' is not a number/);
    });

    it('a zero axis on a moving joint (but not on a fixed one)', () => {
      const zero = urdf(['a', 'b'], [revolute('j', 'a', 'b').replace('<axis xyz="0 0 1"/>', '<axis xyz="0 0 0"/>')]);
      expect(urdfError(() => parseUrdf(zero)).message).to.match(/joint 'j': its axis is zero/);
      // The Panda's panda_joint8 is fixed with a zero axis and parses.
      expect(parseUrdf(urdf(['a', 'b'], ['<joint name="f" type="fixed"><parent link="a"/><child link="b"/><axis xyz="0 0 0"/></joint>'])).joints.size).to.equal(1);
    });

    it('a mimic of an unknown joint, or a mimic without a joint', () => {
      const e = urdfError(() => parseUrdf(urdf(['a', 'b', 'c'], [revolute('lead', 'a', 'b'), revolute('f', 'b', 'c', '<mimic joint="ghost"/>')])));
      expect(e.message).to.match(/joint 'f' mimics 'ghost', which is not defined/);
      const noJoint = urdfError(() => parseUrdf(urdf(['a', 'b'], [revolute('f', 'a', 'b', '<mimic multiplier="2"/>')])));
      expect(noJoint.message).to.match(/joint 'f' <mimic joint>: missing/);
    });

    it('jointsBetween: an unknown base or tip link, or a tip that is not below the base', () => {
      const robot: RobotDescription = parseUrdf(loadRobot('panda'));
      expect(urdfError(() => jointsBetween(robot, 'world', 'panda_hand')).message).to.match(/base link 'world' is not in the URDF \(robot 'panda'\)/);
      expect(urdfError(() => jointsBetween(robot, 'panda_link0', 'gripper')).message).to.match(/tip link 'gripper' is not in the URDF/);
      // Upside down.
      expect(urdfError(() => jointsBetween(robot, 'panda_hand', 'panda_link0')).message).to.match(
        /tip link 'panda_link0' is not below base link 'panda_hand'/,
      );
      // Sibling branches.
      expect(urdfError(() => jointsBetween(robot, 'panda_leftfinger', 'panda_rightfinger')).message).to.match(/is not below base link/);
    });
  });
});
