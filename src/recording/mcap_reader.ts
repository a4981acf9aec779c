/**
 * Reading back an MCAP file written by McapRecorder (or any ros2 MCAP with uncompressed chunks,
 * ros2msg schemas and CDR messages), decoded with @foxglove/rosmsg2-serialization's MessageReader.
 */
import { createReadStream } from 'node:fs';
import { McapStreamReader } from '@mcap/core';
import { parse } from '@foxglove/rosmsg';
import { MessageReader } from '@foxglove/rosmsg2-serialization';

export interface RecordedMessage {
  topic: string;
  /** The schema name, `pkg/msg/Type`. */
  type: string;
  logTime: bigint;
  /** The decoded message (primitive arrays as typed arrays, times as {sec, nanosec}). */
  message: any;
}

/**
 * Reads back an MCAP file written by McapRecorder (or any ros2 MCAP with uncompressed chunks,
 * ros2msg schemas and CDR messages): every message decoded, in file order.
 */
export async function readMcap(file: string): Promise<RecordedMessage[]> {
  const reader = new McapStreamReader({ validateCrcs: true });
  const schemas = new Map<number, { name: string; reader: MessageReader }>();
  const channels = new Map<number, { topic: string; schemaId: number }>();
  const out: RecordedMessage[] = [];

  const drain = (): void => {
    for (let record = reader.nextRecord(); record !== undefined; record = reader.nextRecord()) {
      switch (record.type) {
        case 'Schema': {
          if (record.encoding !== 'ros2msg') throw new Error(`${file}: schema ${record.name} has encoding "${record.encoding}", expected "ros2msg"`);
          const definitions = parse(new TextDecoder().decode(record.data), { ros2: true });
          schemas.set(record.id, { name: record.name, reader: new MessageReader(definitions) });
          break;
        }
        case 'Channel':
          if (record.messageEncoding !== 'cdr') {
            throw new Error(`${file}: channel ${record.topic} has message encoding "${record.messageEncoding}", expected "cdr"`);
          }
          channels.set(record.id, { topic: record.topic, schemaId: record.schemaId });
          break;
        case 'Message': {
          const channel = channels.get(record.channelId);
          if (channel === undefined) throw new Error(`${file}: message on unknown channel ${record.channelId}`);
          const schema = schemas.get(channel.schemaId);
          if (schema === undefined) throw new Error(`${file}: channel ${channel.topic} refers to unknown schema ${channel.schemaId}`);
          let message: unknown;
          try {
            message = schema.reader.readMessage(record.data);
          } catch (error) {
            throw new Error(`${file}: cannot decode a ${schema.name} message on ${channel.topic} at ${record.logTime} ns: ${(error as Error).message}`, { cause: error });
          }
          out.push({ topic: channel.topic, type: schema.name, logTime: record.logTime, message });
          break;
        }
        default:
          break;
      }
    }
  };

  for await (const chunk of createReadStream(file)) {
    reader.append(chunk as Uint8Array);
    drain();
  }
  if (!reader.done()) throw new Error(`${file}: the MCAP file ends before its footer (truncated, or not closed)`);
  return out;
}
