// The ledger's Merkle tree hashes and the inclusion check, RFC 9162 §2.1.3.2 step for step, as
// docs/formats/ledger_proofs.md describes them (and src/ledger/merkle.cc implements them).

import { type Bytes, bytesToHex, concat, equalBytes, sha256 } from './bytes';

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** SHA-256(0x00 || data): the hash of one ledger entry (the event's canonical bytes). */
export function leafHash(data: Bytes): Promise<Bytes> {
  return sha256(concat(LEAF_PREFIX, data));
}

/** SHA-256(0x01 || left || right): an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Bytes> {
  return sha256(concat(NODE_PREFIX, left, right));
}

/** Why an inclusion claim failed; `invalid_argument` and `data_loss` as in the C++ verifiers. */
export interface InclusionFailure {
  ok: false;
  code: 'invalid_argument' | 'data_loss';
  message: string;
  /** The root the path leads to, when the claim had the right shape. */
  computedRoot?: string;
}

export type InclusionResult = { ok: true; root: string } | InclusionFailure;

/**
 * Checks that the leaf with hash `leaf` is entry `index` (0-based) of the tree of the first
 * `size` entries whose root is `root`, given its audit path (deepest sibling first).
 *
 * `size` must come from a signed checkpoint, never from the proof itself: see "What a proof does
 * not prove on its own" in ledger_proofs.md. The sizes use BigInt so that shifts stay exact
 * beyond 2^31 (JavaScript's `>>` works on 32 bits).
 */
export async function verifyInclusion(
  leaf: Uint8Array,
  index: bigint,
  size: bigint,
  path: readonly Uint8Array[],
  root: Uint8Array,
): Promise<InclusionResult> {
  if (index < 0n || index >= size) {
    return {
      ok: false,
      code: 'invalid_argument',
      message: `leaf index ${index} is not below the tree size ${size}`,
    };
  }
  let fn = index;
  let sn = size - 1n;
  let r: Uint8Array = leaf;
  for (const p of path) {
    if (sn === 0n) {
      return {
        ok: false,
        code: 'invalid_argument',
        message: `the audit path has ${path.length} hashes, too many for leaf ${index} of ${size}`,
      };
    }
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) {
    return {
      ok: false,
      code: 'invalid_argument',
      message: `the audit path has ${path.length} hashes, too few for leaf ${index} of ${size}`,
    };
  }
  const computed = bytesToHex(r);
  if (!equalBytes(r, root)) {
    return {
      ok: false,
      code: 'data_loss',
      message: `the audit path leads to root ${computed}, but the signed root is ${bytesToHex(root)}`,
      computedRoot: computed,
    };
  }
  return { ok: true, root: computed };
}

export type ConsistencyResult = { ok: true } | InclusionFailure;

function isPowerOfTwo(value: bigint): boolean {
  return value > 0n && (value & (value - 1n)) === 0n;
}

/**
 * Checks that the tree of the first `oldSize` entries (root `oldRoot`) is a prefix of the tree of
 * the first `newSize` entries (root `newRoot`), RFC 9162 §2.1.4.2 step for step. Both sizes and
 * roots must come from signed checkpoints.
 */
export async function verifyConsistency(
  oldSize: bigint,
  newSize: bigint,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): Promise<ConsistencyResult> {
  if (oldSize === 0n || oldSize > newSize) {
    return { ok: false, code: 'invalid_argument', message: `no consistency proof goes from size ${oldSize} to ${newSize}` };
  }
  if (oldSize === newSize) {
    if (proof.length !== 0) {
      return { ok: false, code: 'invalid_argument', message: `a proof between equal sizes (${oldSize}) must be empty` };
    }
    return equalBytes(oldRoot, newRoot)
      ? { ok: true }
      : {
          ok: false,
          code: 'data_loss',
          message: `two checkpoints of size ${oldSize} sign different roots: ${bytesToHex(oldRoot)} and ${bytesToHex(newRoot)}`,
        };
  }
  if (proof.length === 0) {
    return { ok: false, code: 'invalid_argument', message: `the consistency proof from ${oldSize} to ${newSize} is empty` };
  }
  const path: Uint8Array[] = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1n;
  let sn = newSize - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0n) {
      return { ok: false, code: 'invalid_argument', message: `the consistency proof from ${oldSize} to ${newSize} is too long` };
    }
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) {
    return { ok: false, code: 'invalid_argument', message: `the consistency proof from ${oldSize} to ${newSize} is too short` };
  }
  if (!equalBytes(fr, oldRoot)) {
    return {
      ok: false,
      code: 'data_loss',
      message: `the consistency proof leads to old root ${bytesToHex(fr)}, but the older checkpoint signs ${bytesToHex(oldRoot)}`,
      computedRoot: bytesToHex(fr),
    };
  }
  if (!equalBytes(sr, newRoot)) {
    return {
      ok: false,
      code: 'data_loss',
      message: `the consistency proof leads to new root ${bytesToHex(sr)}, but the newer checkpoint signs ${bytesToHex(newRoot)}`,
      computedRoot: bytesToHex(sr),
    };
  }
  return { ok: true };
}
