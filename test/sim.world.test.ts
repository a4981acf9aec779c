import { expect } from 'chai';
import { TabletopWorld, PLACEMENT, READY_POSE, TCP_OFFSET } from '../src/apps/sim/world.js';
import { besideSpot, goalPosition, makeTask, sampleTask, taskSucceeded, VOCABULARY } from '../src/apps/sim/tasks.js';
import { expertGoal, expertPlan, stateOf, TRACE_STEPS, traceOfPath } from '../src/apps/sim/expert.js';
import { seededRandom } from '../src/core/util/random.js';
import { splitWords } from '../src/core/model/instruction.js';

describe('sim/world', () => {
  it('is the same world for the same seed, and objects lie apart inside the placement area', () => {
    const a = TabletopWorld.create({ seed: 42 });
    const b = TabletopWorld.create({ seed: 42 });
    const c = TabletopWorld.create({ seed: 43 });
    expect(a.objects).to.deep.equal(b.objects);
    expect(a.plate).to.deep.equal(b.plate);
    expect(a.objects).to.not.deep.equal(c.objects);
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const world = TabletopWorld.create({ seed });
      expect(world.objects.length).to.be.within(2, 5);
      const spots = [...world.objects.map((o) => o.position), world.plate.position];
      for (const [i, p] of spots.entries()) {
        expect(p[0]).to.be.within(PLACEMENT.xMin, PLACEMENT.xMax);
        expect(p[1]).to.be.within(PLACEMENT.yMin, PLACEMENT.yMax);
        for (const q of spots.slice(i + 1)) expect(Math.hypot(p[0] - q[0], p[1] - q[1])).to.be.at.least(PLACEMENT.minGap);
      }
      // One object of each colour: "the red block" is never ambiguous.
      expect(new Set(world.objects.map((o) => o.color)).size).to.equal(world.objects.length);
    }
  });

  it('starts at the ready pose with the fingertips below the hand, pointing down', () => {
    const world = TabletopWorld.create({ seed: 1 });
    expect(Array.from(world.q)).to.deep.equal(READY_POSE);
    const hand = world.handPose();
    const tcp = world.tcp();
    expect(tcp[0]).to.be.closeTo(hand[3], 1e-3);
    expect(tcp[2]).to.be.closeTo(hand[11] - TCP_OFFSET, 1e-3);
  });

  it('grasps the object between the fingertips, carries it, and puts it down on the plate or the table', () => {
    const world = TabletopWorld.create({ seed: 7, objects: 2 });
    const object = world.objects[0];
    const arm = world.arm;
    const reach = (p: [number, number, number]): void => {
      const target = world.handPose();
      target[3] = p[0];
      target[7] = p[1];
      target[11] = p[2] + TCP_OFFSET;
      const solution = arm.solve(target, world.q);
      expect(solution.converged).to.equal(true);
      world.setJoints(solution.q);
    };
    // The finger joints are published as a Panda does: open 0.04 m each, closed on nothing, or on the object.
    const fingers = (): number[] => {
      const joints = world.messages(0).joints;
      return ['panda_finger_joint1', 'panda_finger_joint2'].map((name) => joints.position[joints.name.indexOf(name)]);
    };
    expect(fingers()).to.deep.equal([0.04, 0.04]);
    // Closing far from everything holds nothing.
    world.setGripper(true);
    expect(world.heldObject()).to.equal(null);
    expect(fingers()[0]).to.be.below(0.005);
    world.setGripper(false);
    reach([object.position[0], object.position[1], object.position[2]]);
    world.setGripper(true);
    expect(world.heldObject()).to.equal(object);
    expect(fingers()[0]).to.be.within(0.015, 0.03);
    reach([world.plate.position[0], world.plate.position[1], 0.2]);
    expect(object.position[2]).to.be.closeTo(0.2, 0.002);
    world.setGripper(false);
    expect(world.heldObject()).to.equal(null);
    expect(world.onPlate(object)).to.equal(true);
    expect(object.position[2]).to.be.closeTo(world.plate.thickness + object.halfHeight, 1e-9);
  });

  it('renders the objects where the camera model projects them', () => {
    const world = TabletopWorld.create({ seed: 3 });
    const { rgb, depth } = world.render();
    expect([rgb.width, rgb.height]).to.deep.equal([640, 480]);
    for (const object of world.objects) {
      const top: [number, number, number] = [object.position[0], object.position[1], object.position[2] + object.halfHeight * 0.5];
      const pixel = world.project(top)!;
      const i = Math.round(pixel.v) * 640 + Math.round(pixel.u);
      // The object's own colour dominates its pixel (flat shading only scales it).
      const [r, g, b] = [rgb.data[i * 3], rgb.data[i * 3 + 1], rgb.data[i * 3 + 2]];
      const expected = { red: 0, green: 1, blue: 2, yellow: 0, orange: 0, purple: 2 }[object.color];
      expect(Math.max(r, g, b), `${object.color} ${object.shape}`).to.equal([r, g, b][expected]);
      expect(depth.data[i]).to.be.within(0.5, 1.5);
    }
  });
});

describe('sim/tasks and expert', () => {
  it('words every task with the vocabulary, and sampling is seeded', () => {
    const world = TabletopWorld.create({ seed: 11 });
    for (let i = 0; i < 30; i++) {
      const task = sampleTask(world, seededRandom(i));
      expect(splitWords(task.instruction).every((w) => VOCABULARY.includes(w)), task.instruction).to.equal(true);
      expect(sampleTask(world, seededRandom(i))).to.deep.equal(task);
    }
    expect(makeTask(world, 'place', 0).instruction).to.match(/^put the \w+ \w+ on the plate$/);
    expect(makeTask(world, 'left_of', 0, 1).instruction).to.match(/^move the \w+ \w+ to the left of the \w+ \w+$/);
  });

  it('puts "left of" goals on the image-left side, off the plate and away from other objects', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const world = TabletopWorld.create({ seed });
      const task = makeTask(world, 'left_of', 0, 1);
      const spot = besideSpot(world, task);
      if (!spot) continue;
      const goal = goalPosition(world, task, world.objects[0].position);
      const reference = world.project(world.objects[1].position)!;
      expect(world.project(goal)!.u).to.be.below(reference.u);
      expect(Math.hypot(goal[0] - world.plate.position[0], goal[1] - world.plate.position[1])).to.be.above(world.plate.radius);
    }
  });

  it('plans a trace that starts at the fingertips in the image and stays in [0, 255]', () => {
    const world = TabletopWorld.create({ seed: 5 });
    const task = makeTask(world, 'pick', 0);
    const start: [number, number, number] = [...world.objects[0].position];
    const plan = expertPlan(stateOf(world, task, start), expertGoal(world, task, start), TRACE_STEPS.at(-1)!);
    const trace = traceOfPath(world, plan.path)!;
    const tcp = world.project(world.tcp())!;
    expect(trace.x[0]).to.be.closeTo((tcp.u * 255) / 639, 0.51);
    expect(trace.y[0]).to.be.closeTo((tcp.v * 255) / 479, 0.51);
    for (const v of [...trace.x, ...trace.y]) expect(v).to.be.within(0, 255);
    // Every move is at most 2 cm, the hand never turns.
    for (const a of plan.actions) {
      expect(Math.hypot(a[0], a[1], a[2])).to.be.at.most(0.02 + 1e-12);
      expect(a.slice(3, 6)).to.deep.equal([0, 0, 0]);
    }
    expect(taskSucceeded(world, task, start)).to.equal(false);
  });
});
