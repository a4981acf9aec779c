import { expect } from 'chai';
import {
  ACTION_TOKENS_SHA256,
  ACTION_TOKEN_SOURCE,
  QWEN2_ACTION_TOKENS,
  QWEN2_VOCAB_SIZE,
} from '../src/core/model/qwen2_action_tokens.js';
import { ActionTokenReader, QWEN2_ACTION_TABLE } from '../src/core/model/action_tokens.js';
import { deriveActionTokens, readPackageTokenizer, tableHash, TOKENIZER_PACKAGE } from '../scripts/derive_action_tokens.js';

describe('reasoning/remote/action_tokens (the Qwen2 action strings)', () => {
  it('has 256 distinct strings, none of them ASCII-only or holding a list delimiter', () => {
    expect(QWEN2_ACTION_TOKENS).to.have.length(256);
    expect(new Set(QWEN2_ACTION_TOKENS).size).to.equal(256);
    for (const token of QWEN2_ACTION_TOKENS) {
      expect(token, token).to.match(/[^\x00-\x7f]/);
      expect(token, token).to.not.match(/[\s,[\]"'\\]/);
    }
    expect(QWEN2_VOCAB_SIZE).to.equal(151_643);
  });

  it('matches its recorded hash, so an edit of the table shows', () => {
    expect(tableHash(QWEN2_ACTION_TOKENS)).to.equal(ACTION_TOKENS_SHA256);
  });

  it('is, in order, what the tokenizer package gives for ids 151387 .. 151642', () => {
    const { text, version } = readPackageTokenizer();
    expect(ACTION_TOKEN_SOURCE).to.equal(`${TOKENIZER_PACKAGE}@${version}`);
    expect(deriveActionTokens(JSON.parse(text))).to.deep.equal([...QWEN2_ACTION_TOKENS]);
  });

  it('refuses a vocabulary that is not Qwen2 base vocabulary', () => {
    const vocab = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`t${i}`, i]));
    expect(() => deriveActionTokens({ model: { type: 'BPE', vocab } })).to.throw(/10 tokens, expected Qwen2's 151643/);
    expect(() => deriveActionTokens({ model: { type: 'WordPiece', vocab } })).to.throw(/not a BPE tokenizer/);
  });

  it('maps ids to bins as upstream: clamp(vocab_size - id - 1, 0, 254)', () => {
    const reader = new ActionTokenReader(QWEN2_ACTION_TABLE);
    expect(reader.idOf(QWEN2_ACTION_TOKENS[255])).to.equal(151_642);
    expect(reader.binOf(151_642)).to.equal(0);
    expect(reader.binOf(151_388)).to.equal(254);
    expect(reader.binOf(151_387)).to.equal(254); // digitize 256 (the value 1.0) shares the top centre
    expect(reader.idOf('hello')).to.equal(undefined);
    // digitize value d is written as token vocab_size - d
    for (let d = 1; d <= 256; d++) expect(reader.idOf(reader.tokenForDigit(d))).to.equal(151_643 - d);
  });
});
