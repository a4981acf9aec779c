/**
 * `molmoact-ros dataset`: demonstrations of the scripted expert in the tabletop world, written for
 * the training recipe in models/molmoact-tiny (format: src/apps/sim/dataset.ts and the meta.json it writes).
 */
import { resolve } from 'node:path';
import { writeDataset } from '../sim/dataset.js';
import { SteppingReasoner } from '../../inference/stepping_reasoner.js';
import { pandaProprioSource } from '../sim/world.js';
import { integerOption, numberOption, parseOptions, UsageError } from '../../config/command_line.js';

const HELP = `usage: molmoact-ros dataset --out DIR [options]

  --out DIR         folder to write (created; files in it are replaced)
  --episodes N      expert episodes (default 800)
  --seed S          seed of the worlds, tasks and noise (default 1); the same seed writes the same bytes
  --width W         model input width (default 160)
  --height H        model input height (default 120)
  --every N         control steps between recorded frames (default 2)
  --noise M         standard deviation of the noise on executed moves, metres (default 0.0015)
  --driver DIR      DAgger: this model drives (the expert only labels), except for a share of
                    the steps given by --expert-share (default 0.3)
  --expert-share F  share of reasoning steps the expert drives with --driver (default 0.3)
`;

export async function runDataset(argv: string[]): Promise<number> {
  const values = parseOptions({
    args: argv,
    options: {
      out: { type: 'string' },
      episodes: { type: 'string', default: '800' },
      seed: { type: 'string', default: '1' },
      width: { type: 'string', default: '160' },
      height: { type: 'string', default: '120' },
      every: { type: 'string', default: '2' },
      noise: { type: 'string', default: '0.0015' },
      driver: { type: 'string' },
      'expert-share': { type: 'string', default: '0.3' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.out) throw new UsageError('--out DIR is required');
  const out = resolve(values.out);
  const episodes = integerOption(values.episodes, '--episodes', 1);
  const seed = integerOption(values.seed, '--seed', 0);
  const image = { width: integerOption(values.width, '--width', 16), height: integerOption(values.height, '--height', 16) };
  const everySteps = integerOption(values.every, '--every', 1);
  const noise = numberOption(values.noise, '--noise', { min: 0, max: 0.02, maxExclusive: true });
  const expertShare = numberOption(values['expert-share'], '--expert-share', { min: 0, max: 1 });
  const reasoner = values.driver ? await SteppingReasoner.start(resolve(values.driver), pandaProprioSource(), { intraOpThreads: 1 }) : null;
  const started = performance.now();
  const progress = process.stderr.isTTY;
  let result;
  try {
    result = await writeDataset({
      out,
      episodes,
      seed,
      image,
      depthSize: 40,
      maxTokens: 16,
      everySteps,
      noise,
      driver: reasoner ? { reasoner, expertShare } : undefined,
      onEpisode: (done, frames) => {
        if (progress || done === episodes || done % 100 === 0) {
          process.stderr.write(`${progress ? '\r' : ''}dataset: ${done}/${episodes} episodes, ${frames} frames${progress && done < episodes ? '' : '\n'}`);
        }
      },
    });
  } finally {
    await reasoner?.close();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`dataset: ${result.frames} frames from ${episodes} episodes (${result.successes} solved by the expert) in ${seconds.toFixed(0)} s -> ${out}\n`);
  return 0;
}
