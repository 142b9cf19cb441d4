// Model names leave the process only when they are public hub ids of an allow-listed
// organisation (`Xenova/bert-base`); everything else becomes a salted hash, which still lets the
// same model be counted across runs on one machine without revealing what it is.
//
//   - `org/name` with `org` in publicOrgs (case-sensitive) and nothing else → unchanged;
//   - a hub id of any other organisation (`acme-corp/internal-model`), or a bare name →
//     `sha256:` + 16 hex chars of sha256(salt + normalised id);
//   - a path (POSIX, Windows, UNC, `~`, relative with a model-file extension, `file://` or any
//     other URL, or anything with a query string / fragment) → the same hash of its BASE NAME
//     only: the directories are the user's, not the model's, so the same file in different
//     folders (or on different machines with the same salt) hashes the same;
//   - bytes (Buffer, Uint8Array, ArrayBuffer, any typed array / DataView) → 'buffer';
//   - anything else (non-strings, empty strings) → undefined.
//
// "Normalised" means trimmed, Unicode NFC and lower-cased (hub ids and Windows/macOS paths
// are case-insensitive). The salt is supplied by the caller, is never sent and never logged.


export interface SafeModelNameOptions {
  publicOrgs: readonly string[];
  salt: string;
}

/** Ids are capped before any processing; hub ids are far shorter. */
const MAX_INPUT = 2048;

// Hugging Face style `org/name`: both parts start with an alphanumeric, use [A-Za-z0-9._-],
// are at most 96 characters; no `..`.
const HUB_ID_RE = /^([A-Za-z0-9][A-Za-z0-9._-]{0,95})\/([A-Za-z0-9][A-Za-z0-9._-]{0,95})$/;

// Names ending like this are files even when they look like `dir/file`.
const MODEL_FILE_EXT_RE = /\.(?:onnx|ort|json|bin|pb|pbtxt|tflite|safetensors|gguf|ggml|pt|pth|ckpt|h5|hdf5|keras|msgpack|model|txt|zip|tar|gz|npz|npy|mlmodel|engine|plan|weights)$/i;

function hash(salt: string, name: string): string {
  return 'sha256:' + (process.getBuiltinModule('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(salt + name, 'utf8').digest('hex').slice(0, 16);
}

function normalise(s: string): string {
  return s.trim().normalize('NFC').toLowerCase();
}

function isBytes(x: unknown): boolean {
  return ArrayBuffer.isView(x) || x instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && x instanceof SharedArrayBuffer);
}

/** The last path segment after dropping a scheme, query string and fragment. */
function baseName(p: string): string {
  let s = p;
  const q = s.search(/[?#]/);
  if (q >= 0) s = s.slice(0, q);
  s = s.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  const parts = s.split(/[\\/]+/).filter((x) => x !== '' && x !== '.' && x !== '..');
  return parts.length ? parts[parts.length - 1] : '';
}

export function safeModelName(idOrPath: unknown, opts: SafeModelNameOptions): string | undefined {
  try {
    if (isBytes(idOrPath)) return 'buffer';
    if (typeof idOrPath !== 'string') return undefined;
    const raw = idOrPath.slice(0, MAX_INPUT);
    const trimmed = raw.trim();
    if (trimmed === '') return undefined;
    const salt = typeof opts?.salt === 'string' ? opts.salt : '';
    const orgs = Array.isArray(opts?.publicOrgs) ? opts.publicOrgs : [];

    const hub = HUB_ID_RE.exec(trimmed);
    const isHubId = hub !== null && !trimmed.includes('..') && !MODEL_FILE_EXT_RE.test(trimmed);
    if (isHubId && trimmed === raw && orgs.includes(hub[1])) return trimmed;
    if (isHubId) return hash(salt, normalise(trimmed));
    // Bare name without a separator, scheme, query or fragment: hash it whole.
    if (!/[\\/?#]|^[A-Za-z][A-Za-z0-9+.-]*:/.test(trimmed)) return hash(salt, normalise(trimmed));
    // A path or URL: only the base name counts.
    const base = baseName(trimmed);
    return hash(salt, normalise(base === '' ? trimmed : base));
  } catch {
    return undefined;
  }
}
