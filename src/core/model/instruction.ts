/**
 * Instruction tokenizer for models with a word vocabulary (the manifest's `instruction` section):
 * lowercase, split on anything that is not a letter or digit, look each word up.
 */

export const PAD_ID = 0;
export const UNK_ID = 1;

/** The words of an instruction, as the tokenizer sees them. */
export function splitWords(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

/**
 * Token ids of `text`, always `maxTokens` long: unknown words become `<unk>` (1), the rest is
 * padded with `<pad>` (0), and words past `maxTokens` are dropped.
 */
export function tokenizeInstruction(text: string, vocabulary: readonly string[], maxTokens: number): BigInt64Array {
  const ids = lookup(vocabulary);
  const tokens = new BigInt64Array(maxTokens).fill(BigInt(PAD_ID));
  splitWords(text)
    .slice(0, maxTokens)
    .forEach((word, i) => {
      tokens[i] = BigInt(ids.get(word) ?? UNK_ID);
    });
  return tokens;
}

/** Words of `text` that the vocabulary does not know (each once, in order), e.g. to warn a user. */
export function unknownWords(text: string, vocabulary: readonly string[]): string[] {
  const ids = lookup(vocabulary);
  return [...new Set(splitWords(text).filter((w) => !ids.has(w)))];
}

// A vocabulary's lookup table is built once and reused for every instruction.
const tables = new WeakMap<readonly string[], Map<string, number>>();

function lookup(vocabulary: readonly string[]): Map<string, number> {
  let table = tables.get(vocabulary);
  if (!table) {
    // '<pad>' and '<unk>' are in the table too, but splitWords never produces their brackets.
    table = new Map(vocabulary.map((word, id) => [word, id]));
    tables.set(vocabulary, table);
  }
  return table;
}
