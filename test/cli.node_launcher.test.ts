import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePackagePath } from '../src/config/package_root.js';

/**
 * scripts/molmoact_node as `ros2 run` starts it, with MOLMOACT_NODE_BIN pointing at a stand-in
 * for Node.js that passes the version check and prints what it was started with.
 */
describe('molmoact_node launcher', () => {
  let dir: string;
  let fakeNode: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'molmoact-launcher-'));
    fakeNode = join(dir, 'node');
    writeFileSync(fakeNode, '#!/bin/sh\n[ "$1" = "-e" ] && exit 0\necho "GLIBC_TUNABLES=$GLIBC_TUNABLES"\necho "ARGS $*"\n');
    chmodSync(fakeNode, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function launch(env: Record<string, string>): string[] {
    const { GLIBC_TUNABLES: _inherited, ...base } = process.env;
    const result = spawnSync(resolvePackagePath('scripts/molmoact_node'), ['--ros-args', '-p', 'instruction:=x'], {
      encoding: 'utf8',
      env: { ...base, MOLMOACT_NODE_BIN: fakeNode, ...env },
    });
    expect(result.status, result.stderr).to.equal(0);
    return result.stdout.trim().split('\n');
  }

  it('keeps freed buffers for reuse and the young generation at full size, and passes the ROS arguments on', () => {
    const [tunables, args] = launch({});
    expect(tunables).to.equal('GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456');
    expect(args).to.match(/^ARGS --min-semi-space-size=16 \S+dist\/src\/apps\/cli\/main\.js node --ros-args -p instruction:=x$/);
  });

  it('leaves GLIBC_TUNABLES that the user set alone', () => {
    expect(launch({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })[0]).to.equal('GLIBC_TUNABLES=glibc.malloc.arena_max=2');
  });
});
