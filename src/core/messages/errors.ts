/**
 * The one error type of the message layer. Every malformed message or argument ends up here, with a
 * machine-readable `code` (for diagnostics and tests) and a message that names the field, what was
 * expected and what arrived.
 */

export type MessageErrorCode =
  /** `encoding` (Image) is not one this package decodes. */
  | 'unknown_encoding'
  /** width/height is zero, negative or not an integer; or two images' sizes do not agree. */
  | 'bad_size'
  /** `step` is not an integer or is smaller than one row of pixels. */
  | 'bad_step'
  /** `data` is shorter than the layout requires. */
  | 'short_data'
  /** A compressed payload that the decoder could not read (corrupt, truncated, wrong codec). */
  | 'bad_compressed'
  /** A compressed payload that would decode to more pixels than its camera can have. */
  | 'too_large'
  /** A `format` (CompressedImage) this package does not decode, e.g. compressedDepth. */
  | 'unsupported_format'
  /** CameraInfo with an unusable intrinsic matrix or size. */
  | 'bad_camera_info'
  /** A joint that was asked for is not in the JointState. */
  | 'missing_joint'
  /** NaN or Infinity where a finite number is required. */
  | 'non_finite'
  /** Two arrays that must be the same length are not. */
  | 'length_mismatch'
  /** A trajectory whose time_from_start values are not strictly increasing and positive. */
  | 'bad_trajectory'
  /** A plain argument out of its valid range (e.g. a negative depth). */
  | 'bad_value';

export class MessageError extends Error {
  readonly code: MessageErrorCode;

  constructor(code: MessageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MessageError';
    this.code = code;
  }
}
