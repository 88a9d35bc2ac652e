// Bytes, hex and SHA-256 for the verifier. Everything here runs in the browser (WebCrypto) and in
// Node 20 (the unit tests), which has the same `crypto.subtle`.

/** A byte array backed by a plain ArrayBuffer, as WebCrypto wants it. */
export type Bytes = Uint8Array<ArrayBuffer>;

const HEX_DIGITS = /^[0-9a-fA-F]*$/;

/**
 * Decodes hex (upper or lower case, as the ledger's JSON allows on input). Returns null when the
 * text is not hex, or not `expectedBytes` long when that is given.
 */
export function hexToBytes(hex: string, expectedBytes?: number): Bytes | null {
  if (hex.length % 2 !== 0 || !HEX_DIGITS.test(hex)) return null;
  if (expectedBytes !== undefined && hex.length !== expectedBytes * 2) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export function utf8(text: string): Bytes {
  // TextEncoder returns a Uint8Array over a fresh ArrayBuffer.
  return new TextEncoder().encode(text) as Bytes;
}

export function concat(...parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export async function sha256(data: Bytes): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
