/**
 * MolmoAct's action strings and their bins. An action value is written as the vocabulary string
 * of token id `vocab_size - d`, where d in 1..256 is numpy's digitize of the normalised value
 * over linspace(-1, 1, 256); reading it back, bin = clamp(vocab_size - id - 1, 0, 254) picks one
 * of the 255 bin centres (upstream: preprocess/processors.py ActionProcessor.tokenize_action,
 * and parse_action in olmo/hf_model/molmoact/modeling_molmoact.py).
 */
import { QWEN2_ACTION_TOKENS, QWEN2_VOCAB_SIZE } from './qwen2_action_tokens.js';

export interface ActionTokenTable {
  vocabSize: number;
  /** Strings of ids vocabSize - 256 .. vocabSize - 1, lowest id first. */
  tokens: readonly string[];
}

export const QWEN2_ACTION_TABLE: ActionTokenTable = { vocabSize: QWEN2_VOCAB_SIZE, tokens: QWEN2_ACTION_TOKENS };

/** string -> token id, for one table. */
export class ActionTokenReader {
  private readonly ids = new Map<string, number>();

  constructor(readonly table: ActionTokenTable) {
    const first = table.vocabSize - table.tokens.length;
    table.tokens.forEach((token, i) => this.ids.set(token, first + i));
  }

  /** The token id of an action string, or undefined when it is not one. */
  idOf(token: string): number | undefined {
    return this.ids.get(token);
  }

  /** The bin index (0..254, as upstream clamps) of a token id. */
  binOf(id: number): number {
    return Math.min(254, Math.max(0, this.table.vocabSize - id - 1));
  }

  /** The string that writes digitize value d (1..256), as MolmoAct's training text does. */
  tokenForDigit(d: number): string {
    if (!Number.isInteger(d) || d < 1 || d > this.table.tokens.length) throw new RangeError(`digit ${d} is outside 1..${this.table.tokens.length}`);
    return this.table.tokens[this.table.tokens.length - d];
  }
}
