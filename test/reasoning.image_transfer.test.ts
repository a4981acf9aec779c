import { expect } from 'chai';
import { MessageChannel, markAsUntransferable, type MessagePort } from 'node:worker_threads';
import { BufferPool, postWithImages, type MessageSink } from '../src/inference/image_transfer.js';

/** The next message that arrives on `port`. */
function received(port: MessagePort): Promise<{ images: { data: Uint8Array }[] }> {
  return new Promise((resolve) => port.once('message', resolve));
}

function image(bytes: number[]): { data: Uint8Array } {
  return { data: Uint8Array.from(bytes) };
}

describe('postWithImages (image buffers to the reasoning worker)', () => {
  let channel: MessageChannel;
  beforeEach(() => {
    channel = new MessageChannel();
  });
  afterEach(() => {
    channel.port1.close();
    channel.port2.close();
  });

  it('moves buffers that the images own: detached here, whole on the other side', async () => {
    const images = [image([1, 2, 3]), image([4, 5])];
    const buffers = images.map((i) => i.data.buffer);
    const arrival = received(channel.port2);
    const count = postWithImages(channel.port1, { images }, images);
    expect(count).to.deep.equal({ transferred: 2, copied: 0, reused: 0, unmovable: 0 });
    expect(buffers.map((b) => b.byteLength)).to.deep.equal([0, 0]);
    const message = await arrival;
    expect(message.images.map((i) => Array.from(i.data))).to.deep.equal([[1, 2, 3], [4, 5]]);
  });

  it('copies a view into a larger buffer once, and leaves that buffer whole', async () => {
    const pool = Uint8Array.from([9, 9, 7, 8, 9]);
    const images = [{ data: pool.subarray(2, 4) }];
    const arrival = received(channel.port2);
    expect(postWithImages(channel.port1, { images }, images)).to.deep.equal({ transferred: 0, copied: 1, reused: 0, unmovable: 0 });
    expect(Array.from(pool)).to.deep.equal([9, 9, 7, 8, 9]);
    expect(Array.from((await arrival).images[0].data)).to.deep.equal([7, 8]);
  });

  it('counts a buffer Node cannot detach as copied (memory like the middleware\'s own)', async () => {
    const images = [image([1, 2, 3]), image([4, 5])];
    markAsUntransferable(images[0].data.buffer);
    const arrival = received(channel.port2);
    let count;
    try {
      count = postWithImages(channel.port1, { images }, images);
    } catch (err) {
      expect.fail(`postWithImages threw ${(err as Error).name}: ${(err as Error).message}`);
    }
    // Node 20 clones that one buffer and moves the other; Node 21+ refuses, and both are copied.
    expect(count!.transferred + count!.copied).to.equal(2);
    expect(count!.copied).to.be.at.least(1);
    expect(count!.unmovable).to.be.at.least(1);
    expect(images[0].data.buffer.byteLength === 0 ? 'detached' : 'whole').to.equal('whole');
    expect((await arrival).images.map((i) => Array.from(i.data))).to.deep.equal([[1, 2, 3], [4, 5]]);
  });

  it('sends copies when the port refuses a buffer with DataCloneError (Node 21 and later)', async () => {
    const images = [image([1, 2, 3]), image([4, 5])];
    const untransferable = images[0].data.buffer;
    const calls: number[] = [];
    // Node >= 21 refuses a buffer it cannot detach before anything is moved; the second attempt
    // goes through a real port, so detaching and delivery are Node's own.
    const sink: MessageSink = {
      postMessage(message, transfer) {
        calls.push(transfer.length);
        if (transfer.includes(untransferable as ArrayBuffer)) {
          throw new DOMException('An ArrayBuffer is not transferable', 'DataCloneError');
        }
        channel.port1.postMessage(message, transfer);
      },
    };
    const arrival = received(channel.port2);
    expect(postWithImages(sink, { images }, images)).to.deep.equal({ transferred: 0, copied: 2, reused: 0, unmovable: 2 });
    expect(calls).to.deep.equal([2, 2]);
    expect(untransferable.byteLength).to.equal(3);
    const message = await arrival;
    expect(message.images.map((i) => Array.from(i.data))).to.deep.equal([[1, 2, 3], [4, 5]]);
  });

  it('with a pool, copies every image into a pooled buffer of its size and moves that', async () => {
    const pool = new BufferPool();
    const given = [new ArrayBuffer(3), new ArrayBuffer(2), new ArrayBuffer(5)];
    pool.give(given);
    const own = [Uint8Array.from([1, 2, 3]), Uint8Array.from([4, 5]), Uint8Array.from([6, 7, 8, 9])];
    own.forEach((data) => markAsUntransferable(data.buffer));
    const images = own.map((data) => ({ data }));
    const arrival = received(channel.port2);
    // Two of the sizes are in the pool; the third image gets fresh memory.
    expect(postWithImages(channel.port1, { images }, images, pool)).to.deep.equal({ transferred: 0, copied: 3, reused: 2, unmovable: 0 });
    expect(given.map((b) => b.byteLength)).to.deep.equal([0, 0, 5]);
    expect(own.map((data) => Array.from(data))).to.deep.equal([[1, 2, 3], [4, 5], [6, 7, 8, 9]]);
    expect((await arrival).images.map((i) => Array.from(i.data))).to.deep.equal([[1, 2, 3], [4, 5], [6, 7, 8, 9]]);
    expect(pool.size).to.equal(1);
  });

  it('lets any other error through', () => {
    const sink: MessageSink = {
      postMessage() {
        throw new TypeError('the port is closed');
      },
    };
    expect(() => postWithImages(sink, {}, [image([1])])).to.throw(TypeError, 'the port is closed');
  });
});

describe('BufferPool (buffers to copy images into)', () => {
  it('hands back a buffer of exactly the size asked for, once, and fresh memory otherwise', () => {
    const pool = new BufferPool();
    const buffer = new ArrayBuffer(8);
    pool.give([buffer]);
    expect(pool.take(4).reused).to.equal(false);
    const taken = pool.take(8);
    expect(taken).to.include({ reused: true });
    expect(taken.data.buffer).to.equal(buffer);
    expect(taken.data.byteLength).to.equal(8);
    expect(pool.take(8).reused).to.equal(false);
  });

  it('ignores detached and repeated buffers, and keeps at most its capacity (the newest)', () => {
    const pool = new BufferPool(2);
    const detached = new ArrayBuffer(4);
    structuredClone(detached, { transfer: [detached] });
    const [a, b, c] = [new ArrayBuffer(1), new ArrayBuffer(2), new ArrayBuffer(3)];
    pool.give([detached, a, a]);
    expect(pool.size).to.equal(1);
    pool.give([b, c]);
    expect(pool.size).to.equal(2);
    expect(pool.take(1).reused).to.equal(false);
    expect(pool.take(2).data.buffer).to.equal(b);
    expect(pool.take(3).data.buffer).to.equal(c);
  });
});
