import { createHash, createHmac, createSecretKey, type Hash, type Hmac, type KeyObject } from 'node:crypto';

type Data = string | ArrayBuffer | ArrayBufferView;

// SigV4 signs every call with HMAC-SHA256 under keys that change once a day at most (the secret
// access key, for the signer's signing-key cache lookup, and the derived signing key, which the
// signer keeps as one Uint8Array). node:crypto turns a raw key into a key object on every
// createHmac, which costs about five times the HMAC itself: the key objects are kept instead.
const keys = new Map<string, KeyObject>();
const MAX_KEYS = 64; // credentials rotate (temporary ones hourly) and signing keys daily: old keys go

/** Looked up by the key's content, so a buffer written to after use never yields a stale key. */
function keyObject(secret: Data): KeyObject {
  // A view of the caller's bytes; createSecretKey copies them.
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : (toBytes(secret) as Buffer);
  const id = bytes.toString('base64');
  let key = keys.get(id);
  if (!key) {
    if (keys.size >= MAX_KEYS) keys.clear();
    key = createSecretKey(bytes);
    keys.set(id, key);
  }
  return key;
}

const toBytes = (data: Data): string | Buffer =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/**
 * The SDK's SHA-256 / HMAC-SHA256 (the `sha256` client setting, same behaviour as its Node
 * default) with HMAC keys kept as key objects. Given to every client by createAwsClients.
 */
export class KeyCachingSha256 {
  private hash: Hash | Hmac;
  private finished = false;

  constructor(private readonly secret?: Data) {
    this.hash = this.create();
  }

  update(data: Data): void {
    if (this.finished) throw new Error('Attempted to update an already finished hash.');
    this.hash.update(toBytes(data));
  }

  async digest(): Promise<Uint8Array> {
    this.finished = true;
    const out = this.hash.digest();
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  reset(): void {
    this.hash = this.create();
    this.finished = false;
  }

  private create(): Hash | Hmac {
    return this.secret !== undefined ? createHmac('sha256', keyObject(this.secret)) : createHash('sha256');
  }
}
