/**
 * Reading a model folder's manifest.yaml from disk (manifest.ts validates what it says).
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ManifestError, parseManifest, type ModelManifest, type StageGraphs } from '../core/model/manifest.js';

export const MANIFEST_FILE = 'manifest.yaml';

/** Reads and validates `<modelDir>/manifest.yaml`. */
export async function loadManifest(modelDir: string): Promise<ModelManifest> {
  const dir = path.resolve(modelDir);
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ManifestError(file, '', `cannot read the manifest (${(err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ManifestError(file, '', `not valid YAML (${(err as Error).message})`);
  }
  const manifest = parseManifest(doc, dir, file, (name) => path.resolve(dir, name));
  if (manifest.backend === 'onnx') await checkGraphFiles(manifest.graphs, file);
  return manifest;
}

async function checkGraphFiles(graphs: StageGraphs, file: string): Promise<void> {
  for (const stage of ['perceive', 'plan', 'act'] as const) {
    try {
      await access(graphs[stage]);
    } catch {
      throw new ManifestError(file, `graphs.${stage}`, `graph file not found: ${graphs[stage]}`);
    }
  }
}
