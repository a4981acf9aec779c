import { expect } from 'chai';
import { splitWords, tokenizeInstruction, unknownWords } from '../src/core/model/instruction.js';

const VOCAB = ['<pad>', '<unk>', 'pick', 'up', 'the', 'red', 'block'];

describe('reasoning/instruction', () => {
  it('lowercases and splits on anything but letters and digits', () => {
    expect(splitWords('  Pick-UP the red_block, 2x!')).to.deep.equal(['pick', 'up', 'the', 'red', 'block', '2x']);
  });

  it('maps words to ids, unknown words to <unk> and pads with <pad>', () => {
    const ids = tokenizeInstruction('Pick up the GREEN block', VOCAB, 8);
    expect([...ids]).to.deep.equal([2n, 3n, 4n, 1n, 6n, 0n, 0n, 0n]);
  });

  it('truncates to max tokens', () => {
    expect([...tokenizeInstruction('pick up the red block', VOCAB, 3)]).to.deep.equal([2n, 3n, 4n]);
  });

  it('cannot produce <pad> or <unk> from text', () => {
    expect([...tokenizeInstruction('<pad> <unk>', VOCAB, 3)]).to.deep.equal([1n, 1n, 0n]);
  });

  it('gives an empty instruction as all padding', () => {
    expect([...tokenizeInstruction(' ,. ', VOCAB, 4)]).to.deep.equal([0n, 0n, 0n, 0n]);
  });

  it('reports unknown words once each', () => {
    expect(unknownWords('pick the green green cup', VOCAB)).to.deep.equal(['green', 'cup']);
    expect(unknownWords('pick up', VOCAB)).to.deep.equal([]);
  });
});
