// One inclusion proof bundle (the JSON file `accord ledger prove` writes, format
// "accord-ledger-inclusion-proof/v1") checked with nothing but the ledger's public key, the way
// `accord verify-proof` does (VerifyProofBundle in src/ledger/ledger.cc):
//   1. the bundle names the key we trust;
//   2. the checkpoint's Ed25519 signature verifies with that key;
//   3. the leaf hash SHA-256(0x00 || event bytes) leads, through the audit path, to the signed
//      root, with the tree size taken from the signed checkpoint.

import { bytesToHex, hexToBytes, type Bytes, utf8 } from './bytes';
import {
  type Checkpoint,
  CheckpointError,
  checkpointText,
  parseCheckpoint,
  verifyCheckpointSignature,
} from './checkpoint';
import { leafHash, verifyInclusion } from './merkle';

export const INCLUSION_FORMAT = 'accord-ledger-inclusion-proof/v1';

export interface ProofBundleJson {
  format: string;
  /** The event's canonical encoding: the exact bytes the ledger hashed, as a JSON string. */
  event: string;
  leaf_index: number;
  inclusion_path: string[];
  checkpoint: unknown;
  public_key: string;
}

export interface ParsedBundle {
  event: string;
  leafIndex: bigint;
  path: Bytes[];
  checkpoint: Checkpoint;
  publicKey: string;
}

export class BundleError extends Error {}

/** Decodes a bundle strictly; throws BundleError naming the member that is wrong. */
export function parseBundle(value: unknown): ParsedBundle {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BundleError('the proof is not a JSON object');
  }
  const bundle = value as Partial<Record<keyof ProofBundleJson, unknown>>;
  for (const key of ['format', 'event', 'leaf_index', 'inclusion_path', 'checkpoint', 'public_key'] as const) {
    if (!(key in bundle)) throw new BundleError(`proof /${key}: missing`);
  }
  if (bundle.format !== INCLUSION_FORMAT) {
    throw new BundleError(`proof /format: ${JSON.stringify(bundle.format)} is not ${INCLUSION_FORMAT}`);
  }
  if (typeof bundle.event !== 'string') throw new BundleError('proof /event: expected a string');
  const index = bundle.leaf_index;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    throw new BundleError('proof /leaf_index: expected a non-negative integer');
  }
  if (!Array.isArray(bundle.inclusion_path)) throw new BundleError('proof /inclusion_path: expected an array');
  const path = bundle.inclusion_path.map((hex: unknown, i: number) => {
    const bytes = typeof hex === 'string' ? hexToBytes(hex, 32) : null;
    if (!bytes) throw new BundleError(`proof /inclusion_path/${i}: not 64 hex digits`);
    return bytes;
  });
  if (typeof bundle.public_key !== 'string') throw new BundleError('proof /public_key: expected a string');
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(bundle.checkpoint, 'proof /checkpoint');
  } catch (error) {
    if (error instanceof CheckpointError) throw new BundleError(error.message);
    throw error;
  }
  return { event: bundle.event, leafIndex: BigInt(index), path, checkpoint, publicKey: bundle.public_key };
}

/**
 * Verifies checkpoint signatures once per distinct checkpoint: a statement's events are usually
 * all proven against the same one.
 */
export class SignatureChecker {
  private readonly results = new Map<string, Promise<boolean>>();

  constructor(readonly publicKeyHex: string) {}

  verify(checkpoint: Checkpoint): Promise<boolean> {
    const key = checkpointText(checkpoint) + bytesToHex(checkpoint.signature);
    let result = this.results.get(key);
    if (!result) {
      result = verifyCheckpointSignature(checkpoint, this.publicKeyHex);
      this.results.set(key, result);
    }
    return result;
  }
}

export type BundleResult =
  | { ok: true; bundle: ParsedBundle; leafHash: string }
  | { ok: false; step: 'format' | 'key' | 'signature' | 'inclusion'; message: string; bundle?: ParsedBundle };

/**
 * Checks one bundle against the trusted public key. `signatures` carries the trusted key and
 * remembers signatures already checked.
 */
export async function verifyBundle(value: unknown, signatures: SignatureChecker): Promise<BundleResult> {
  let bundle: ParsedBundle;
  try {
    bundle = parseBundle(value);
  } catch (error) {
    if (error instanceof BundleError) return { ok: false, step: 'format', message: error.message };
    throw error;
  }
  const trusted = signatures.publicKeyHex.toLowerCase();
  if (bundle.publicKey.toLowerCase() !== trusted) {
    return {
      ok: false,
      step: 'key',
      bundle,
      message: `the proof names public key ${bundle.publicKey}, but the ledger's public key is ${trusted}`,
    };
  }
  if (!(await signatures.verify(bundle.checkpoint))) {
    return {
      ok: false,
      step: 'signature',
      bundle,
      message:
        `the Ed25519 signature of the checkpoint (size ${bundle.checkpoint.treeSize}, root ` +
        `${bytesToHex(bundle.checkpoint.root)}) does not verify with key ${trusted}`,
    };
  }
  const leaf = await leafHash(utf8(bundle.event));
  const inclusion = await verifyInclusion(
    leaf,
    bundle.leafIndex,
    bundle.checkpoint.treeSize,
    bundle.path,
    bundle.checkpoint.root,
  );
  if (!inclusion.ok) {
    return {
      ok: false,
      step: 'inclusion',
      bundle,
      message: `event at leaf ${bundle.leafIndex} (leaf hash ${bytesToHex(leaf)}): ${inclusion.message}`,
    };
  }
  return { ok: true, bundle, leafHash: bytesToHex(leaf) };
}
