import { createHash, createHmac, createSecretKey, type Hash, type Hmac, type KeyObject } from 'node:crypto';

type Data = string | ArrayBuffer | ArrayBufferView;

// SigV4 signs every call with HMAC-SHA256 under keys that change once a day at most (the secret
// access key, for the signer's signing-key cache lookup, and the derived signing key, which the
// signer keeps as one Uint8Array). node:crypto turns a raw key into a key object on every
// createHmac, which costs about five times the HMAC itself: the key objects are kept instead.
const stringKeys = new Map<string, KeyObject>();
const binaryKeys = new WeakMap<object, KeyObject>();
const MAX_STRING_KEYS = 32; // credentials rotate (temporary ones hourly): old keys go

function keyObject(secret: Data): KeyObject {
  if (typeof secret === 'string') {
    let key = stringKeys.get(secret);
    if (!key) {
      if (stringKeys.size >= MAX_STRING_KEYS) stringKeys.clear();
      key = createSecretKey(Buffer.from(secret, 'utf8'));
      stringKeys.set(secret, key);
    }
    return key;
  }
  let key = binaryKeys.get(secret);
  if (!key) {
    const bytes = ArrayBuffer.isView(secret)
      ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)
      : Buffer.from(secret);
    // A copy: the key object must not follow later writes into the caller's buffer.
    key = createSecretKey(Buffer.from(bytes));
    binaryKeys.set(secret, key);
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
    let out: Buffer;
    if (this.secret !== undefined) {
      this.finished = true;
      out = this.hash.digest();
    } else {
      out = (this.hash as Hash).copy().digest();
    }
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
