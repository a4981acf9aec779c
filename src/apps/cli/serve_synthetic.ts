/**
 * `molmoact-ros serve-synthetic`: a synthetic model server for a remote manifest, on this machine.
 * It speaks the manifest's protocol over real HTTP and answers with made-up reasoning (small moves
 * near the arm's state), so that the remote path (node, check-model, bench) can be tried without
 * a GPU. Its actions mean nothing about the scene.
 */
import { resolve } from 'node:path';
import { ManifestError } from '../../core/model/manifest.js';
import { loadManifest } from '../../inference/load_manifest.js';
import { FAULTS, SyntheticServer, type Fault } from '../../inference/remote/synthetic_server.js';
import { integerOption, parseOptions, UsageError } from '../../config/command_line.js';

const HELP = `usage: molmoact-ros serve-synthetic --model DIR [options]

Serves synthetic answers in the protocol of a remote model's manifest, until Ctrl-C.

  --model DIR     a remote model folder (manifest.yaml with backend: remote)
  --host HOST     address to listen on (default 127.0.0.1)
  --port N        port (default 8000; 0 picks a free one)
  --delay-ms N    time each answer takes (default 0)
  --fault NAME    misbehave on purpose: ${FAULTS.join(', ')} (default none)
  --help          this text
`;

export async function runServeSynthetic(argv: string[]): Promise<number> {
  const values = parseOptions({
    args: argv,
    options: {
      model: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8000' },
      'delay-ms': { type: 'string', default: '0' },
      fault: { type: 'string', default: 'none' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.model) throw new UsageError('give --model DIR');
  if (!(FAULTS as readonly string[]).includes(values.fault)) throw new UsageError(`--fault expects one of ${FAULTS.join(', ')}, got '${values.fault}'`);
  let manifest;
  try {
    manifest = await loadManifest(resolve(values.model));
  } catch (err) {
    if (err instanceof ManifestError) throw new UsageError(err.message);
    throw err;
  }
  if (manifest.backend !== 'remote') throw new UsageError(`${manifest.file}: backend is ${manifest.backend}, not remote: there is no server to stand in for`);
  const server = await SyntheticServer.start({
    manifest,
    host: values.host,
    port: integerOption(values.port, '--port', 0),
    delayMs: integerOption(values['delay-ms'], '--delay-ms', 0),
    fault: values.fault as Fault,
  });
  process.stdout.write(`synthetic ${manifest.remote.protocol} server for ${manifest.name} at ${server.url}${manifest.remote.path} (answers mean nothing; Ctrl-C stops)\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await server.close();
  process.stdout.write(`served ${server.answers} answers\n`);
  return 0;
}
