import { expect } from 'chai';
import { NODE_MALLOC_ENV, PUBLISHER_MALLOC, nodeEnvironment } from '../src/apps/ros/bench_ros.js';

describe('bench-ros: the node under test runs in the environment the benchmark was started with', () => {
  it('drops the publisher\'s allocator settings and restores the ones the user had, if any', () => {
    const started = { PATH: '/usr/bin', GLIBC_TUNABLES: PUBLISHER_MALLOC, [NODE_MALLOC_ENV]: '' };
    const env = nodeEnvironment(started);
    expect(env).not.to.have.property('GLIBC_TUNABLES');
    expect(env).not.to.have.property(NODE_MALLOC_ENV);
    expect(env.PATH).to.equal('/usr/bin');
    expect(env.MOLMOACT_NODE_BIN).to.equal(process.execPath);

    const own = nodeEnvironment({ ...started, [NODE_MALLOC_ENV]: 'glibc.malloc.arena_max=2' });
    expect(own.GLIBC_TUNABLES).to.equal('glibc.malloc.arena_max=2');
  });
});
