/**
 * The backend a manifest names. Each is imported only when needed, so that loading this module
 * loads neither the ONNX runtime nor the HTTP client.
 */
import type { ModelManifest } from '../core/model/manifest.js';
import type { BackendOptions, ReasoningBackend } from './backend.js';

/** Loads the backend the manifest names. */
export async function createBackend(manifest: ModelManifest, options: BackendOptions = {}): Promise<ReasoningBackend> {
  switch (manifest.backend) {
    case 'onnx': {
      const { OnnxBackend } = await import('./onnx/onnx_backend.js');
      return OnnxBackend.load(manifest, options);
    }
    case 'remote': {
      const { RemoteBackend } = await import('./remote/remote_backend.js');
      return RemoteBackend.load(manifest, options);
    }
  }
}
