/**
 * ROS 2 messages into an MCAP file, laid out as rosbag2's MCAP storage plugin writes it, so that the
 * file opens in Foxglove and replays with `ros2 bag play` (Humble: `-s mcap`):
 *
 * - header profile `ros2`;
 * - one schema per message type, named `pkg/msg/Type`, encoding `ros2msg`, holding the complete
 *   definition (the type's .msg text and those of its dependencies, see ros2_definitions.ts);
 * - one channel per topic, message encoding `cdr`, with the `offered_qos_profiles` metadata the
 *   ros2 profile requires (a reliable, volatile, keep-last 10 publisher);
 * - messages CDR-encoded by cdr_encoder.ts, with log time = publish time = the message's stamp in
 *   nanoseconds;
 * - uncompressed chunks, with message indexes, statistics and the summary section.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { McapWriter, type IWritable } from '@mcap/core';
import { describeValue, RecordingError, schemaText, serializeRos2Message, textEncoder, type RecordedType } from './cdr_encoder.js';

/** The library name in the MCAP header. */
export const MCAP_LIBRARY = 'molmoact_ros';

/**
 * The offered_qos_profiles channel metadata (rosbag2 Humble's YAML layout; enum values as rmw's
 * integers: history 1 keep last, reliability 1 reliable, durability 2 volatile, liveliness 1
 * automatic; zero durations mean "not set").
 */
export const OFFERED_QOS_PROFILES = [
  '- history: 1',
  '  depth: 10',
  '  reliability: 1',
  '  durability: 2',
  '  deadline:',
  '    sec: 0',
  '    nsec: 0',
  '  lifespan:',
  '    sec: 0',
  '    nsec: 0',
  '  liveliness: 1',
  '  liveliness_lease_duration:',
  '    sec: 0',
  '    nsec: 0',
  '  avoid_ros_namespace_conventions: false',
].join('\n');

/** Appends to an open file, tracking the position as McapWriter needs it. */
class FileWritable implements IWritable {
  private written = 0n;

  constructor(private readonly handle: FileHandle) {}

  async write(buffer: Uint8Array): Promise<void> {
    let done = 0;
    while (done < buffer.length) {
      const { bytesWritten } = await this.handle.write(buffer, done, buffer.length - done);
      done += bytesWritten;
    }
    this.written += BigInt(buffer.length);
  }

  position(): bigint {
    return this.written;
  }
}

const MAX_UINT64 = 2n ** 64n - 1n;

interface ChannelState {
  id: number;
  type: string;
  sequence: number;
}

/**
 * Records ROS 2 messages into an MCAP file (see the module comment for the layout). Calls may
 * overlap: they are carried out one after another in the order they were made. `close()` must be
 * called for the file to get its summary and footer.
 */
export class McapRecorder {
  private readonly schemas = new Map<string, number>();
  private readonly channels = new Map<string, ChannelState>();
  /** The tail of the chain of operations (never rejects). */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly file: string,
    private readonly handle: FileHandle,
    private readonly writer: McapWriter,
  ) {}

  /** Creates (or truncates) `file` and writes the MCAP header (profile 'ros2', library 'molmoact_ros'). */
  static async create(file: string): Promise<McapRecorder> {
    const handle = await open(file, 'w');
    try {
      const writer = new McapWriter({ writable: new FileWritable(handle), useChunks: true, useStatistics: true, useSummaryOffsets: true });
      await writer.start({ profile: 'ros2', library: MCAP_LIBRARY });
      return new McapRecorder(file, handle, writer);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Writes one message on a topic with log and publish time `stampNs` (nanoseconds since the epoch
   * of the stamps). The first message of a topic registers its channel, and the first of a type its
   * schema. Throws a RecordingError (and writes nothing) for a message that does not fit `type`, a
   * topic recorded before with another type, or a stamp that is not a uint64 bigint.
   */
  write(topic: string, type: RecordedType, message: object, stampNs: bigint): Promise<void> {
    return this.enqueue(async () => {
      if (this.closed) throw new RecordingError(`cannot record on topic ${topic}: the recorder of ${this.file} is closed`, topic);
      if (typeof topic !== 'string' || topic === '') throw new RecordingError(`cannot record: expected a topic name, got ${describeValue(topic)}`);
      if (typeof stampNs !== 'bigint' || stampNs < 0n || stampNs > MAX_UINT64) {
        throw new RecordingError(`cannot record on topic ${topic}: expected the stamp as nanoseconds in a non-negative bigint, got ${describeValue(stampNs)}`, topic);
      }
      const known = this.channels.get(topic);
      if (known !== undefined && known.type !== type) {
        throw new RecordingError(`cannot record on topic ${topic}: it was recorded as ${known.type}, not ${type}`, topic);
      }
      const data = serializeRos2Message(type, message, topic);
      const channel = known ?? (await this.registerChannel(topic, type));
      await this.writer.addMessage({ channelId: channel.id, sequence: channel.sequence, logTime: stampNs, publishTime: stampNs, data });
      channel.sequence = (channel.sequence + 1) >>> 0;
    });
  }

  /** Writes the summary (schemas, channels, statistics, indexes) and footer, and closes the file. */
  close(): Promise<void> {
    return this.enqueue(async () => {
      if (this.closed) return;
      this.closed = true;
      try {
        await this.writer.end();
      } finally {
        await this.handle.close();
      }
    });
  }

  private async registerChannel(topic: string, type: string): Promise<ChannelState> {
    let schemaId = this.schemas.get(type);
    if (schemaId === undefined) {
      schemaId = await this.writer.registerSchema({ name: type, encoding: 'ros2msg', data: textEncoder.encode(schemaText(type)) });
      this.schemas.set(type, schemaId);
    }
    const id = await this.writer.registerChannel({
      schemaId,
      topic,
      messageEncoding: 'cdr',
      metadata: new Map([['offered_qos_profiles', OFFERED_QOS_PROFILES]]),
    });
    const state: ChannelState = { id, type, sequence: 0 };
    this.channels.set(topic, state);
    return state;
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
