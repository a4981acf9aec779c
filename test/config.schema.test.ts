import { expect } from 'chai';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import { checkParameterValue, ConfigError, defaultValues, loadParameterSchema } from '../src/config/schema.js';
import { settingsFromValues } from '../src/config/settings.js';
import { packageRoot } from '../src/config/package_root.js';

describe('parameter schema (config/molmoact.yaml)', () => {
  const schema = loadParameterSchema();

  it('gives every parameter a type, a default that fits it, and a description', () => {
    expect(schema.length).to.be.greaterThan(10);
    for (const spec of schema) {
      expect(spec.description.length, spec.name).to.be.greaterThan(10);
      expect(() => checkParameterValue(spec, spec.default)).to.not.throw();
    }
  });

  it('builds consistent settings from the defaults (Panda joints and limits)', () => {
    const settings = settingsFromValues(defaultValues(schema));
    expect(settings.jointNames).to.have.length(7);
    expect(settings.limits.min).to.have.length(7);
    expect(settings.autostart).to.equal(false);
    expect(settings.inference).to.deep.equal({ intraOpThreads: 1, spinWait: false, remote: { server: '', timeoutMs: 30_000, backoffMaxMs: 10_000 } });
    expect(settings.openLoopJointTolerance).to.equal(0.01);
    expect(settings.extraCameraTopics.size).to.equal(0);
    expect(settings.modelDir.startsWith(packageRoot())).to.equal(true);
  });

  it('only sets known parameters, with fitting values, in the launch file default config/params.yaml', () => {
    const doc = parse(readFileSync(join(packageRoot(), 'config', 'params.yaml'), 'utf8'));
    const values = doc['/**'].ros__parameters as Record<string, unknown>;
    for (const [name, value] of Object.entries(values)) {
      const spec = schema.find((s) => s.name === name);
      expect(spec, name).to.not.equal(undefined);
      expect(() => checkParameterValue(spec!, value)).to.not.throw();
    }
  });

  it('refuses values of the wrong type, out of range or not among the choices', () => {
    const slop = schema.find((s) => s.name === 'sync_slop_s')!;
    expect(() => checkParameterValue(slop, 'fast')).to.throw(ConfigError, /finite number/);
    expect(() => checkParameterValue(slop, 2)).to.throw(ConfigError, /<= 1/);
    const transport = schema.find((s) => s.name === 'rgb_transport')!;
    expect(() => checkParameterValue(transport, 'theora')).to.throw(ConfigError, /raw, compressed/);
  });

  it('names the limit parameter that does not fit joint_names', () => {
    const values = defaultValues(schema);
    values.set('joint_position_max', [1, 2]);
    expect(() => settingsFromValues(values)).to.throw(ConfigError, /joint_position_max has 2 values/);
  });

  it('reports a broken schema file clearly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'parameters:\n  x:\n    type: float\n    default: 1\n    description: a number\n');
    expect(() => loadParameterSchema(file)).to.throw(ConfigError, /parameters\.x\.type/);
  });
});
