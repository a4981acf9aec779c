import { expect } from 'chai';
import { FakeGraph, GoalStatus } from './support/fake_ros_graph.js';
import {
  createControllerOutput,
  createGripperOutput,
  type ControllerOutput,
  type ControllerOutputOptions,
  type GripperOutputOptions,
} from '../src/apps/ros/controller_output.js';
import { NODE_QOS } from '../src/apps/ros/qos.js';
import type { RosNodeApi } from '../src/apps/ros/ros_api.js';
import { sampleTrajectory } from '../src/core/control/trajectory_sampler.js';
import { buildJointTrajectory } from '../src/core/messages/builders.js';
import { timeFromSeconds } from '../src/core/messages/time.js';
import type { JointState, JointTrajectory } from '../src/core/messages/types.js';

const JOINTS = ['j1', 'j2', 'j3'];
const START = [0.1, -0.2, 0.3];
const TOPIC = '/arm_controller/joint_trajectory';
const ACTION = '/arm_controller/follow_joint_trajectory';
const COMMAND = '/joint_command';
const GRIPPER_TOPIC = '/gripper_controller/joint_trajectory';
const GRIPPER_ACTION = '/gripper_controller/gripper_cmd';

/** Lets the answers queued by the stand-in server (and the callbacks chained on them) run. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function trajectory(offset = 0, stamp = { sec: 0, nanosec: 0 }): JointTrajectory {
  return buildJointTrajectory({
    stamp,
    jointNames: JOINTS,
    points: [
      { positions: [0.2 + offset, -0.1, 0.35], velocities: [0.2, 0.15, 0.05], timeFromStart: 0.4 },
      { positions: [0.3 + offset, 0.0, 0.4], velocities: [0.1, 0.1, 0.0], timeFromStart: 0.8 },
      { positions: [0.35 + offset, 0.05, 0.4], velocities: [0, 0, 0], timeFromStart: 1.2 },
    ],
  });
}

describe('controller outputs on a stand-in ROS graph', () => {
  let graph: FakeGraph;
  let node: RosNodeApi;
  let log: { level: string; msg: string }[];
  let outputs: { dispose(): void }[];

  beforeEach(() => {
    graph = new FakeGraph();
    node = graph.api().createNode('molmoact');
    log = [];
    outputs = [];
  });

  afterEach(() => outputs.forEach((o) => o.dispose()));

  function arm(over: Partial<ControllerOutputOptions>): ControllerOutput {
    const output = createControllerOutput(node, {
      interface: 'joint_trajectory',
      topic: TOPIC,
      action: ACTION,
      jointCommandTopic: COMMAND,
      rateHz: 50,
      qos: NODE_QOS.command,
      now: () => graph.nowSec,
      log: (level, msg) => log.push({ level, msg }),
      ...over,
    });
    outputs.push(output);
    return output;
  }

  function gripper(over: Partial<GripperOutputOptions>) {
    const output = createGripperOutput(node, {
      interface: 'none',
      topic: GRIPPER_TOPIC,
      action: GRIPPER_ACTION,
      moveTimeSec: 0.5,
      maxEffort: 20,
      qos: NODE_QOS.command,
      now: () => graph.nowSec,
      log: (level, msg) => log.push({ level, msg }),
      ...over,
    });
    if (output) outputs.push(output);
    return output;
  }

  describe('joint_trajectory (topic)', () => {
    it('publishes exactly the trajectory it is given, once per send', () => {
      const output = arm({ interface: 'joint_trajectory' });
      const first = trajectory();
      const second = trajectory(0.05);
      output.send(first, START);
      output.send(second, START);
      expect(graph.publishers.find((p) => p.topic === TOPIC)?.type).to.equal('trajectory_msgs/msg/JointTrajectory');
      expect(graph.messages(TOPIC)).to.deep.equal([first, second]);
      expect(output.status).to.include({ interface: 'joint_trajectory', trajectories_sent: 2 });
    });

    it('stops the arm with the trajectory to rest it is given, once something was sent', () => {
      const output = arm({ interface: 'joint_trajectory' });
      const hold = (positions: number[]): JointTrajectory =>
        buildJointTrajectory({ stamp: { sec: 0, nanosec: 0 }, jointNames: JOINTS, points: [{ positions, velocities: [0, 0, 0], timeFromStart: 0.2 }] });
      output.stop(hold([0.1, 0.2, 0.3]), [0.1, 0.2, 0.3]); // nothing was sent yet: nothing to stop
      expect(graph.messages(TOPIC)).to.have.length(0);
      output.send(trajectory(), START);
      const broken = hold([0.1, 0.2, 0.3]);
      broken.points[0].positions[1] = NaN;
      output.stop(broken, null); // not a position to go to
      output.stop(buildJointTrajectory({ stamp: { sec: 0, nanosec: 0 }, jointNames: ['x', 'y', 'z'], points: [{ positions: [0, 0, 0], velocities: [0, 0, 0], timeFromStart: 0.1 }] }), null); // other joints
      output.stop(null, null); // no fresh joint state: the running trajectory ends at rest by itself
      expect(graph.messages(TOPIC)).to.have.length(1);
      output.stop(hold([0.1, 0.2, 0.3]), [0.1, 0.2, 0.3]);
      expect(graph.messages(TOPIC)).to.deep.equal([trajectory(), hold([0.1, 0.2, 0.3])]);
      expect(output.status).to.include({ holds_sent: 1 });
    });
  });

  describe('follow_joint_trajectory (action)', () => {
    it('sends one goal per command with the trajectory and default tolerances, and counts a success', async () => {
      const server = graph.actionServer(ACTION);
      const output = arm({ interface: 'follow_joint_trajectory' });
      expect(graph.actionClients[0].typeClass).to.equal('control_msgs/action/FollowJointTrajectory');
      const sent = trajectory();
      output.send(sent, START);
      await flush();
      expect(server.goals).to.have.length(1);
      expect(server.last.goal).to.deep.equal({
        trajectory: sent,
        path_tolerance: [],
        goal_tolerance: [],
        goal_time_tolerance: { sec: 0, nanosec: 0 },
      });
      expect(output.status).to.include({ goals_sent: 1, goals_accepted: 1, goal_active: true, last_outcome: 'accepted' });

      server.succeed(server.last, { error_code: 0, error_string: '' });
      await flush();
      expect(output.status).to.include({
        goals_succeeded: 1,
        goals_aborted: 0,
        goal_active: false,
        last_outcome: 'succeeded',
        last_error_code: 0,
      });
    });

    it('cancels the running goal when a new one is sent, and on cancel()', async () => {
      const server = graph.actionServer(ACTION);
      const output = arm({ interface: 'follow_joint_trajectory' });
      output.send(trajectory(), START);
      await flush();
      output.send(trajectory(0.05), START);
      await flush();
      expect(server.goals).to.have.length(2);
      expect(server.goals.map((g) => g.cancelRequested)).to.deep.equal([true, false]);
      expect(server.goals[0].status).to.equal(GoalStatus.CANCELED);
      expect(server.goals[1].status).to.equal(GoalStatus.EXECUTING);
      // The replaced goal's cancellation is counted, but the outcome shown is the running goal's.
      expect(output.status).to.include({ goals_canceled: 1, goal_active: true, last_outcome: 'accepted' });

      output.stop(null, null);
      await flush();
      expect(server.goals[1].cancelRequested).to.equal(true);
      expect(output.status).to.include({ goals_canceled: 2, goal_active: false, last_outcome: 'canceled' });
    });

    it('stops a running goal with the trajectory to rest as the next goal, and cancels when there is none', async () => {
      const server = graph.actionServer(ACTION);
      const output = arm({ interface: 'follow_joint_trajectory' });
      const hold = buildJointTrajectory({ stamp: { sec: 0, nanosec: 0 }, jointNames: JOINTS, points: [{ positions: [0.2, -0.1, 0.35], velocities: [0, 0, 0], timeFromStart: 0.2 }] });
      output.stop(hold, [0.2, -0.1, 0.35]); // nothing runs: nothing to replace, nothing sent
      await flush();
      expect(server.goals).to.have.length(0);
      output.send(trajectory(), START);
      await flush();
      output.stop(hold, [0.2, -0.1, 0.35]);
      await flush();
      expect(server.goals).to.have.length(2);
      expect((server.goals[1].goal as { trajectory: JointTrajectory }).trajectory).to.deep.equal(hold);
      expect(server.goals[0].status).to.equal(GoalStatus.CANCELED);
      server.succeed(server.last, { error_code: 0, error_string: '' });
      await flush();
      expect(output.status).to.include({ goal_active: false, last_outcome: 'succeeded' });
    });

    it('cancels a replaced goal that the server accepts only after the new one was sent', async () => {
      const server = graph.actionServer(ACTION);
      server.answer = 'manual';
      const output = arm({ interface: 'follow_joint_trajectory' });
      output.send(trajectory(), START);
      output.send(trajectory(0.05), START);
      await flush();
      server.respond(server.goals[0], true);
      server.respond(server.goals[1], true);
      await flush();
      expect(server.goals.map((g) => g.cancelRequested)).to.deep.equal([true, false]);
      expect(server.goals[1].status).to.equal(GoalStatus.EXECUTING);
    });

    it('counts aborted and rejected goals with the controller error', async () => {
      const server = graph.actionServer(ACTION);
      const output = arm({ interface: 'follow_joint_trajectory' });
      output.send(trajectory(), START);
      await flush();
      server.abort(server.last, { error_code: -4, error_string: 'path tolerance violated for j2' });
      await flush();
      expect(output.status).to.include({
        goals_aborted: 1,
        last_outcome: 'aborted',
        last_error_code: -4,
        last_error_string: 'path tolerance violated for j2',
      });

      server.answer = 'reject';
      output.send(trajectory(), START);
      await flush();
      expect(output.status).to.include({ goals_sent: 2, goals_rejected: 1, goals_accepted: 1, last_outcome: 'rejected', goal_active: false });
    });

    it('reports the largest position error of the latest feedback, whatever array shape rclnodejs hands over', async () => {
      const server = graph.actionServer(ACTION);
      const output = arm({ interface: 'follow_joint_trajectory' });
      output.send(trajectory(), START);
      await flush();
      const goal = server.last;
      server.feedback(goal, { joint_names: JOINTS, error: { positions: Float64Array.of(0.01, -0.05, 0.02) } });
      expect(output.status.last_feedback_max_error).to.be.closeTo(0.05, 1e-12);
      server.feedback(goal, { error: { positions: { data: [0.003, -0.001] } } });
      expect(output.status.last_feedback_max_error).to.be.closeTo(0.003, 1e-12);
      server.feedback(goal, { toPlainObject: () => ({ error: { positions: [-0.2, 0.1] } }) });
      expect(output.status.last_feedback_max_error).to.be.closeTo(0.2, 1e-12);

      // Feedback from a replaced goal that is still winding down is not reported.
      server.honourCancel = false;
      output.send(trajectory(0.05), START);
      await flush();
      expect(goal.status).to.equal(GoalStatus.CANCELING);
      server.feedback(goal, { error: { positions: [9] } });
      expect(output.status.last_feedback_max_error).to.be.closeTo(0.2, 1e-12);
      server.feedback(server.last, { error: { positions: [0.004] } });
      expect(output.status.last_feedback_max_error).to.be.closeTo(0.004, 1e-12);
    });

    it('does not send while the server is unavailable, warns once, and warns again after it came and went', async () => {
      const server = graph.actionServer(ACTION);
      server.available = false;
      const output = arm({ interface: 'follow_joint_trajectory' });
      for (let i = 0; i < 3; i++) expect(() => output.send(trajectory(), START)).to.not.throw();
      await flush();
      expect(server.goals).to.have.length(0);
      expect(output.status).to.include({ server_unavailable: 3, goals_sent: 0, last_outcome: 'server unavailable' });
      expect(log.filter((l) => l.level === 'warn')).to.have.length(1);
      expect(log[0].msg).to.include(ACTION);

      server.available = true;
      output.send(trajectory(), START);
      await flush();
      expect(server.goals).to.have.length(1);
      expect(log.some((l) => l.level === 'info' && /available again/.test(l.msg))).to.equal(true);

      server.available = false;
      output.send(trajectory(), START);
      output.send(trajectory(), START);
      expect(log.filter((l) => l.level === 'warn')).to.have.length(2);
    });

    it('turns every failed request into a counted failure, never an unhandled rejection', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => {
        unhandled.push(reason);
      };
      process.on('unhandledRejection', onUnhandled);
      try {
        const server = graph.actionServer(ACTION);
        const output = arm({ interface: 'follow_joint_trajectory' });
        server.failNextGoal(new Error('goal service gone'));
        output.send(trajectory(), START);
        await flush();
        expect(output.status).to.include({ failures: 1, last_outcome: 'failed', goal_active: false });
        expect(output.status.last_failure).to.match(/goal service gone/);

        server.answer = 'reject';
        output.send(trajectory(), START);
        await flush();
        expect(output.status).to.include({ goals_rejected: 1 });

        server.answer = 'accept';
        output.send(trajectory(), START);
        await flush();
        server.failResult(server.last, new Error('result service gone'));
        await flush();
        expect(output.status).to.include({ failures: 2, goal_active: false });
        expect(output.status.last_failure).to.match(/result service gone/);
        // Give Node the turn in which it reports unhandled rejections.
        await new Promise((r) => setTimeout(r, 20));
        expect(unhandled).to.deep.equal([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });

    it('cancels its goal and destroys the client on dispose', async () => {
      const server = graph.actionServer(ACTION);
      const output = arm({ interface: 'follow_joint_trajectory' });
      output.send(trajectory(), START);
      await flush();
      output.dispose();
      expect(server.last.cancelRequested).to.equal(true);
      expect(graph.actionClients[0].destroyed).to.equal(true);
    });
  });

  describe('joint_state_command (stream)', () => {
    function streamed(): JointState[] {
      return graph.messages(COMMAND) as JointState[];
    }

    it('streams the first segment on from the velocity the arm was planned and checked with', () => {
      const output = arm({ interface: 'joint_state_command', rateHz: 50 });
      const sent = trajectory();
      const t0 = graph.nowSec;
      output.send(sent, START, [0.5, 0, 0]);
      graph.nowSec = t0 + 0.1;
      graph.fireTimers();
      const moving = sampleTrajectory(sent, START, 0.1, { withinSegment: true, startVelocity: [0.5, 0, 0] });
      const atRest = sampleTrajectory(sent, START, 0.1, { withinSegment: true });
      expect(moving[0]).to.be.above(atRest[0] + 0.01);
      Array.from(streamed()[0].position).forEach((q, j) => expect(q).to.be.closeTo(moving[j], 1e-6));
      expect(() => output.send(sent, START, [0.5, 0])).to.throw(/start velocities/);
    });

    it('streams positions sampled from the trajectory at the timer, then the last point once, then nothing', () => {
      const output = arm({ interface: 'joint_state_command', rateHz: 50 });
      expect(graph.timers).to.have.length(1);
      expect(graph.timers[0].periodNs).to.equal(20_000_000n);
      graph.fireTimers();
      expect(streamed()).to.have.length(0); // nothing to stream before the first trajectory

      const sent = trajectory();
      const t0 = graph.nowSec;
      output.send(sent, START);
      const times: number[] = [];
      for (const dt of [0.02, 0.3, 0.6, 0.95, 1.19]) {
        graph.nowSec = t0 + dt;
        graph.fireTimers();
        times.push(graph.nowSec);
        expect(output.status.streaming).to.equal(true);
      }
      graph.nowSec = t0 + 1.25; // past the end: the last point once more
      graph.fireTimers();
      times.push(graph.nowSec);
      graph.nowSec = t0 + 1.3;
      graph.fireTimers();
      graph.fireTimers();

      const messages = streamed();
      expect(messages).to.have.length(times.length);
      messages.forEach((msg, i) => {
        expect(msg.name).to.deep.equal(JOINTS);
        expect(msg.header.stamp).to.deep.equal(timeFromSeconds(times[i]));
        expect(Array.isArray(msg.position)).to.equal(true); // plain arrays for rclnodejs
        const expected = sampleTrajectory(sent, START, times[i] - t0);
        Array.from(msg.position).forEach((q, j) => expect(q).to.be.closeTo(expected[j], 1e-9));
        expect(msg.velocity).to.deep.equal([]);
      });
      // The samples move along the path: not the start, not the end, in between.
      expect(messages[2].position[0]).to.be.greaterThan(0.2).and.lessThan(0.3);
      expect(messages.at(-1)!.position).to.deep.equal(sent.points.at(-1)!.positions);
      expect(output.status).to.include({ streaming: false, trajectories_sent: 1, commands_published: times.length });
    });

    it('replaces the running trajectory, starts a stamped one at its stamp, and stops on cancel', () => {
      const output = arm({ interface: 'joint_state_command' });
      const t0 = graph.nowSec;
      output.send(trajectory(), START);
      graph.nowSec = t0 + 0.3;
      graph.fireTimers();
      // A trajectory stamped 0.5 s ahead starts there: 0.25 s later it is 0.25 s in.
      const stamped = trajectory(0.1, timeFromSeconds(t0 + 0.5));
      const newStart = [0.15, -0.15, 0.32];
      output.send(stamped, newStart);
      graph.nowSec = t0 + 0.75;
      graph.fireTimers();
      const expected = sampleTrajectory(stamped, newStart, 0.25);
      Array.from(streamed()[1].position).forEach((q, j) => expect(q).to.be.closeTo(expected[j], 1e-6));

      // A trajectory that does not fit is refused and the running one goes on.
      expect(() => output.send(trajectory(), [0, 0])).to.throw(/start positions/);
      expect(output.status.streaming).to.equal(true);

      output.stop(null, null);
      graph.nowSec += 0.02;
      graph.fireTimers();
      expect(streamed()).to.have.length(2);
      expect(output.status.streaming).to.equal(false);
    });

    it('appends extra joints to every message, and sends a change once while the arm is still', () => {
      const output = arm({ interface: 'joint_state_command' });
      expect(output.setExtraJoints).to.be.a('function');
      output.setExtraJoints!(['finger1', 'finger2'], [0.04, 0.04]);
      graph.fireTimers(); // no arm position yet: only the fingers
      expect(streamed().at(-1)).to.deep.include({ name: ['finger1', 'finger2'], position: [0.04, 0.04] });
      graph.fireTimers();
      expect(streamed()).to.have.length(1);

      const sent = trajectory();
      const t0 = graph.nowSec;
      output.send(sent, START);
      graph.nowSec = t0 + 0.5;
      graph.fireTimers();
      let msg = streamed().at(-1)!;
      expect(msg.name).to.deep.equal([...JOINTS, 'finger1', 'finger2']);
      expect(Array.from(msg.position).slice(3)).to.deep.equal([0.04, 0.04]);
      graph.nowSec = t0 + 2;
      graph.fireTimers(); // the end
      const count = streamed().length;

      output.setExtraJoints!(['finger1', 'finger2'], [0, 0]);
      graph.fireTimers();
      graph.fireTimers();
      expect(streamed()).to.have.length(count + 1);
      msg = streamed().at(-1)!;
      expect(msg.name).to.deep.equal([...JOINTS, 'finger1', 'finger2']);
      expect(msg.position).to.deep.equal([...sent.points.at(-1)!.positions, 0, 0]);
      expect(() => output.setExtraJoints!(['finger1'], [0, 1])).to.throw(/1 names but 2 positions/);
    });

    it('stops its timer on dispose', () => {
      const output = arm({ interface: 'joint_state_command' });
      output.send(trajectory(), START);
      output.dispose();
      graph.fireTimers();
      expect(streamed()).to.have.length(0);
      expect(graph.timers[0].canceled).to.equal(true);
    });
  });

  describe('gripper outputs: each step of the chunk in its step', () => {
    const CLOSED = { closed: true, position: 0, names: ['finger1', 'finger2'], positions: [0, 0] };
    const OPEN = { closed: false, position: 0.04, names: ['finger1', 'finger2'], positions: [0.04, 0.04] };
    /** A chunk of 0.1 s steps with these states. */
    const chunk = (...states: (typeof OPEN)[]) => states.map((s, i) => ({ ...s, startSec: i * 0.1, endSec: (i + 1) * 0.1 }));
    const seconds = (t: { sec: number; nanosec: number }) => t.sec + t.nanosec / 1e9;

    it('is null for none', () => {
      expect(gripper({ interface: 'none' })).to.equal(null);
    });

    it('joint_trajectory: one trajectory per chunk that changes the state, each change at its step', () => {
      const output = gripper({ interface: 'joint_trajectory', moveTimeSec: 0.5 })!;
      output.send(chunk(CLOSED, CLOSED));
      output.send(chunk(CLOSED, CLOSED)); // nothing changes: nothing is sent
      let messages = graph.messages(GRIPPER_TOPIC) as JointTrajectory[];
      expect(messages).to.have.length(1);
      expect(messages[0]).to.deep.equal({
        header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' },
        joint_names: ['finger1', 'finger2'],
        points: [{ positions: [0, 0], velocities: [], accelerations: [], effort: [], time_from_start: { sec: 0, nanosec: 100_000_000 } }],
      });
      // Closed, then open from the third step: held closed until 0.2 s, open at 0.3 s.
      output.send(chunk(CLOSED, CLOSED, OPEN, OPEN));
      messages = graph.messages(GRIPPER_TOPIC) as JointTrajectory[];
      expect(messages).to.have.length(2);
      expect(messages[1].points.map((p) => [p.positions[0], seconds(p.time_from_start)])).to.deep.equal([
        [0, 0.2],
        [0.04, 0.3],
      ]);
      expect(output.status).to.include({ interface: 'joint_trajectory', commands_sent: 2, state: 'closed', pending_changes: 1 });
      // The next chunk comes before that step and keeps it closed: the pending opening is overridden.
      graph.nowSec += 0.05;
      output.send(chunk(CLOSED, CLOSED));
      messages = graph.messages(GRIPPER_TOPIC) as JointTrajectory[];
      expect(messages).to.have.length(3);
      expect(messages[2].points.map((p) => p.positions[0])).to.deep.equal([0]);
      // After the step started, the opening is in force.
      output.send(chunk(CLOSED, OPEN));
      graph.nowSec += 0.15;
      output.send(chunk(OPEN));
      expect(graph.messages(GRIPPER_TOPIC)).to.have.length(4);
      expect(output.status).to.include({ state: 'open', pending_changes: 0 });
    });

    it('gripper_command: a goal when each change\'s step starts, the previous goal cancelled; none after cancel()', async () => {
      const server = graph.actionServer(GRIPPER_ACTION);
      const output = gripper({ interface: 'gripper_command', maxEffort: 20 })!;
      expect(graph.actionClients[0].typeClass).to.equal('control_msgs/action/GripperCommand');
      output.send(chunk(CLOSED, CLOSED, OPEN));
      await flush();
      expect(server.goals.map((g) => g.goal)).to.deep.equal([{ command: { position: 0, max_effort: 20 } }]);
      graph.nowSec += 0.15;
      graph.fireTimers();
      await flush();
      expect(server.goals).to.have.length(1); // the opening's step starts at 0.2 s
      graph.nowSec += 0.06;
      graph.fireTimers();
      await flush();
      expect(server.goals.map((g) => g.goal)).to.deep.equal([
        { command: { position: 0, max_effort: 20 } },
        { command: { position: 0.04, max_effort: 20 } },
      ]);
      expect(server.goals[0].cancelRequested).to.equal(true);
      server.succeed(server.last, { position: 0.04, effort: 0, stalled: false, reached_goal: true });
      await flush();
      expect(output.status).to.include({ goals_succeeded: 1, goals_canceled: 1, last_reached_goal: true, state: 'open' });

      // A change still to come is dropped by cancel() (the arm was stopped).
      output.send(chunk(OPEN, CLOSED));
      output.cancel();
      graph.nowSec += 1;
      graph.fireTimers();
      await flush();
      expect(server.goals).to.have.length(2);

      // A goal that could not go out (no server) is sent with the next chunk's change.
      server.available = false;
      output.send(chunk(CLOSED));
      expect(server.goals).to.have.length(2);
      server.available = true;
      output.send(chunk(CLOSED));
      await flush();
      expect(server.goals).to.have.length(3);
      expect(output.status).to.include({ commands_sent: 3, server_unavailable: 1, state: 'closed' });
    });

    it('joint_state_command: the gripper joints ride on the arm stream, changed when their step starts', () => {
      const stream = arm({ interface: 'joint_state_command' });
      const output = gripper({ interface: 'joint_state_command', stream })!;
      output.send(chunk(OPEN, CLOSED));
      graph.fireTimers();
      output.send(chunk(OPEN));
      graph.fireTimers();
      let messages = graph.messages(COMMAND) as JointState[];
      expect(messages).to.have.length(1);
      expect(messages[0]).to.deep.include({ name: OPEN.names, position: OPEN.positions });
      output.send(chunk(OPEN, CLOSED));
      graph.fireTimers();
      expect(graph.messages(COMMAND)).to.have.length(1);
      graph.nowSec += 0.1;
      graph.fireTimers(); // the gripper's timer hands the change to the stream ...
      graph.fireTimers(); // ... which sends it with its next tick
      messages = graph.messages(COMMAND) as JointState[];
      expect(messages.at(-1)!.position).to.deep.equal([0, 0]);
      expect(output.status).to.include({ commands_sent: 2, state: 'closed' });

      expect(() => gripper({ interface: 'joint_state_command', stream: arm({ interface: 'joint_trajectory' }) })).to.throw(
        /controller_interface joint_state_command/,
      );
    });
  });
});
