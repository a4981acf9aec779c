/**
 * The molmoact-text protocol: MolmoAct (v1) behind an OpenAI-compatible chat-completions
 * endpoint (vLLM serving the MolmoAct model class). One user message carries the camera images
 * (first, as upstream's chat template puts images before the text) and the checkpoint's prompt;
 * the answer's text is parsed by molmoact_answer.ts.
 */
import { RemoteError, quote } from './http.js';
import type { MolmoActTextSpec } from '../../core/model/manifest_remote.js';
import type { EncodedImage } from '../../media/camera_image.js';

/**
 * The request body, in pieces: temperature 0 (upstream decodes greedily), no streaming. The
 * images' base64 goes in as the bytes it is (it holds nothing JSON would escape), neither copied
 * into one string nor scanned by JSON.stringify.
 */
export function chatRequest(spec: MolmoActTextSpec, prompt: string, images: EncodedImage[]): Buffer[] {
  const pieces: Buffer[] = [Buffer.from(`{"model":${JSON.stringify(spec.model)},"messages":[{"role":"user","content":[`)];
  for (const image of images) {
    pieces.push(Buffer.from(`{"type":"image_url","image_url":{"url":"data:${image.mime};base64,`), image.base64, Buffer.from('"}},'));
  }
  pieces.push(
    Buffer.from(`{"type":"text","text":${JSON.stringify(prompt)}}]}],"temperature":0,"max_tokens":${spec.maxTokens},"stream":false}`),
  );
  return pieces;
}

/** The prompt for one step: the reasoning prompt, or the steering one when a trace is drawn. */
export function promptFor(spec: MolmoActTextSpec, instruction: string, steered: boolean): string {
  const template = steered ? spec.prompt.steer : spec.prompt.reason;
  if (template === null) throw new RemoteError('rejected', 'this model has no steering prompt');
  // Upstream inserts the task as given (no lower-casing or stripping).
  return template.replaceAll('{instruction}', instruction);
}

/** The answer's text from a chat-completions response; a cut or empty answer is refused. */
export function answerText(json: unknown, url: string): string {
  const choices = (json as { choices?: unknown })?.choices;
  if (!Array.isArray(choices) || choices.length === 0) {
    throw new RemoteError('protocol', `${url} answered without choices: ${quote(JSON.stringify(json) ?? '')}`);
  }
  const choice = choices[0] as { message?: { content?: unknown }; finish_reason?: unknown };
  const content = choice?.message?.content;
  if (typeof content !== 'string') {
    throw new RemoteError('protocol', `${url} answered without a text message: ${quote(JSON.stringify(choice) ?? '')}`);
  }
  if (choice.finish_reason === 'length') {
    throw new RemoteError('rejected', `the answer was cut off at max_tokens (finish_reason "length"): ${quote(content.slice(-160))}`);
  }
  if (choice.finish_reason !== 'stop' && choice.finish_reason !== undefined && choice.finish_reason !== null) {
    throw new RemoteError('rejected', `the answer ended with finish_reason ${JSON.stringify(choice.finish_reason)}, not "stop": ${quote(content.slice(-160))}`);
  }
  return content;
}
