// Signed checkpoints: parsing the JSON form, re-creating the exact signed text, and checking the
// Ed25519 signature with WebCrypto. The rules are docs/formats/ledger_proofs.md ("Checkpoint"),
// as src/ledger/checkpoint.cc and src/core/time.cc implement them.

import { type Bytes, bytesToHex, hexToBytes, utf8 } from './bytes';

export const CHECKPOINT_FORMAT = 'accord-ledger-checkpoint/v1';

/** A checkpoint as it appears in JSON (a run file, a proof bundle, the checkpoints list). */
export interface CheckpointJson {
  format: string;
  tree_size: number;
  root: string;
  time: string;
  signature: string;
}

/** A checkpoint whose members were checked and decoded. */
export interface Checkpoint {
  treeSize: bigint;
  root: Bytes;
  /** Milliseconds since the Unix epoch. */
  timeMillis: number;
  signature: Bytes;
}

export class CheckpointError extends Error {}

const MEMBERS = ['format', 'tree_size', 'root', 'time', 'signature'] as const;

/** Decodes the JSON form strictly: all five members, no other, hex of the right lengths. */
export function parseCheckpoint(value: unknown, where = 'checkpoint'): Checkpoint {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CheckpointError(`${where}: a signed checkpoint must be a JSON object`);
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!(MEMBERS as readonly string[]).includes(key)) {
      throw new CheckpointError(`${where}/${key}: unknown member of a checkpoint`);
    }
  }
  for (const key of MEMBERS) {
    if (!(key in object)) throw new CheckpointError(`${where}/${key}: missing`);
  }
  if (object.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`${where}/format: ${JSON.stringify(object.format)} is not ${CHECKPOINT_FORMAT}`);
  }
  const size = object.tree_size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new CheckpointError(`${where}/tree_size: must be a non-negative integer`);
  }
  if (typeof object.root !== 'string') throw new CheckpointError(`${where}/root: must be a string`);
  const root = hexToBytes(object.root, 32);
  if (!root) throw new CheckpointError(`${where}/root: not 64 hex digits`);
  if (typeof object.time !== 'string') throw new CheckpointError(`${where}/time: must be a string`);
  const timeMillis = parseTimestamp(object.time);
  if (timeMillis === null) {
    throw new CheckpointError(`${where}/time: ${JSON.stringify(object.time)} is not an ISO 8601 time`);
  }
  if (typeof object.signature !== 'string') {
    throw new CheckpointError(`${where}/signature: must be a string`);
  }
  const signature = hexToBytes(object.signature, 64);
  if (!signature) throw new CheckpointError(`${where}/signature: not 128 hex digits`);
  return { treeSize: BigInt(size), root, timeMillis, signature };
}

/**
 * The bytes the ledger signs: four lines, each ending in "\n". The verifier rebuilds them from the
 * values, so the signature covers the values, not the JSON's spelling of them.
 */
export function checkpointText(checkpoint: Checkpoint): string {
  return (
    `${CHECKPOINT_FORMAT}\n` +
    `${checkpoint.treeSize.toString()}\n` +
    `${bytesToHex(checkpoint.root)}\n` +
    `${formatTimestamp(checkpoint.timeMillis)}\n`
  );
}

/** Verifies the checkpoint's Ed25519 signature with a 32-byte public key given as 64 hex digits. */
export async function verifyCheckpointSignature(
  checkpoint: Checkpoint,
  publicKeyHex: string,
): Promise<boolean> {
  const keyBytes = hexToBytes(publicKeyHex, 32);
  if (!keyBytes) throw new CheckpointError(`public key ${JSON.stringify(publicKeyHex)} is not 64 hex digits`);
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'Ed25519' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'Ed25519' }, key, checkpoint.signature, utf8(checkpointText(checkpoint)));
}

/** True when two checkpoints state the same size, root, time and signature. */
export function sameCheckpoint(a: Checkpoint, b: Checkpoint): boolean {
  return (
    a.treeSize === b.treeSize &&
    a.timeMillis === b.timeMillis &&
    bytesToHex(a.root) === bytesToHex(b.root) &&
    bytesToHex(a.signature) === bytesToHex(b.signature)
  );
}

// ---- Times: Timestamp::Parse and Timestamp::ToString of src/core/time.cc ----

const MILLIS_PER_DAY = 86_400_000;
const TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:([Zz])|([+-])(\d{2}):(\d{2})))?$/;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/**
 * Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[.fff]Z" or "...+HH:MM" into Unix milliseconds, or
 * null. Like the C++ parser: years 0001–9999, at most three fraction digits, no leap seconds.
 */
export function parseTimestamp(text: string): number | null {
  const m = TIME_PATTERN.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  let millis = daysFromCivil(year, month, day) * MILLIS_PER_DAY;
  if (m[4] === undefined) return millis;
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59) return null;
  millis += ((hour * 60 + minute) * 60 + second) * 1000;
  if (m[7] !== undefined) millis += Number(m[7].padEnd(3, '0'));
  if (m[9] !== undefined) {
    const offsetHours = Number(m[10]);
    const offsetMinutes = Number(m[11]);
    if (offsetHours > 23 || offsetMinutes > 59) return null;
    const offset = (offsetHours * 60 + offsetMinutes) * 60_000;
    millis += m[9] === '+' ? -offset : offset;
  }
  return millis;
}

/** Timestamp::ToString: seconds always, ".mmm" only when there are milliseconds, always "Z". */
export function formatTimestamp(millis: number): string {
  const days = Math.floor(millis / MILLIS_PER_DAY);
  const inDay = millis - days * MILLIS_PER_DAY;
  const [year, month, day] = civilFromDays(days);
  const two = (n: number) => String(n).padStart(2, '0');
  const hour = Math.floor(inDay / 3_600_000);
  const minute = Math.floor((inDay % 3_600_000) / 60_000);
  const second = Math.floor((inDay % 60_000) / 1000);
  const ms = inDay % 1000;
  const fraction = ms !== 0 ? `.${String(ms).padStart(3, '0')}` : '';
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${fraction}Z`;
}
