import { expect } from 'chai';
import { decodeNdArray, encodeFloat32, JsonNumpyError, toRows } from '../src/inference/remote/json_numpy.js';

describe('reasoning/remote/json_numpy', () => {
  // The wire text the Python package json_numpy 2.1.0 writes for these arrays.
  it('writes float32 arrays as json_numpy does', () => {
    expect(encodeFloat32([1, 2], [1, 2])).to.deep.equal({ __numpy__: 'AACAPwAAAEA=', dtype: '<f4', shape: [1, 2] });
    expect(encodeFloat32([0.5, 1])).to.deep.equal({ __numpy__: 'AAAAPwAAgD8=', dtype: '<f4', shape: [2] });
  });

  it('reads what json_numpy writes: float32, float64, big-endian, bool, scalars', () => {
    expect(toRows(decodeNdArray({ __numpy__: 'AACAPwAAAEA=', dtype: '<f4', shape: [1, 2] }, 'a'), 'a')).to.deep.equal([[1, 2]]);
    expect(Array.from(decodeNdArray({ __numpy__: 'AAAAAAAA+D8=', dtype: '<f8', shape: [1] }, 'a').values)).to.deep.equal([1.5]);
    expect(Array.from(decodeNdArray({ __numpy__: 'P4AAAA==', dtype: '>f4', shape: [1] }, 'a').values)).to.deep.equal([1]);
    expect(Array.from(decodeNdArray({ __numpy__: 'AQ==', dtype: '|b1', shape: [1] }, 'a').values)).to.deep.equal([1]);
    const image = decodeNdArray({ __numpy__: 'AAAAAAAAAAAAAAAA', dtype: '|u1', shape: [2, 2, 3] }, 'a');
    expect([image.shape, Array.from(image.values)]).to.deep.equal([[2, 2, 3], Array(12).fill(0)]);
    const scalar = decodeNdArray({ __numpy__: 'AAAAPw==', dtype: '<f4', shape: [] }, 'a');
    expect(scalar.shape).to.deep.equal([]);
    expect(Array.from(scalar.values)).to.deep.equal([0.5]);
    // A transposed array is written in its logical row-major order: [[1, 3], [2, 4]].
    expect(toRows(decodeNdArray({ __numpy__: 'AACAPwAAQEAAAABAAACAQA==', dtype: '<f4', shape: [2, 2] }, 'a'), 'a')).to.deep.equal([
      [1, 3],
      [2, 4],
    ]);
  });

  it('round-trips float32 values through its own writer', () => {
    const values = [0.1, -2.5, 3e-7, 1e20];
    const back = decodeNdArray(encodeFloat32(values, [2, 2]), 'x');
    expect(back.shape).to.deep.equal([2, 2]);
    expect(Array.from(back.values)).to.deep.equal(Array.from(Float32Array.from(values)));
  });

  const bad: [string, unknown, RegExp][] = [
    ['a plain list', [1, 2], /expected a json_numpy array/],
    ['bytes that are not base64', { __numpy__: 'not base64!', dtype: '<f4', shape: [1] }, /not base64/],
    ['a string dtype', { __numpy__: 'AAAAPw==', dtype: '<U2', shape: [1] }, /not a numeric dtype/],
    ['an object dtype', { __numpy__: 'AAAAPw==', dtype: '|O', shape: [1] }, /not a numeric dtype/],
    ['a shape that does not fit the bytes', { __numpy__: 'AAAAPw==', dtype: '<f4', shape: [2] }, /needs 8 bytes, "__numpy__" holds 4/],
    ['a negative size', { __numpy__: 'AAAAPw==', dtype: '<f4', shape: [-1] }, /not a list of sizes/],
    ['a missing dtype', { __numpy__: 'AAAAPw==', shape: [1] }, /"dtype" is not a string/],
  ];
  for (const [what, value, message] of bad) {
    it(`refuses ${what}, naming the field`, () => {
      expect(() => decodeNdArray(value, 'actions')).to.throw(JsonNumpyError, message);
      expect(() => decodeNdArray(value, 'actions')).to.throw(/^actions: /);
    });
  }
});
