// Verifies a royalty statement in the browser: every ledger event behind every line, each with
// its inclusion proof, against the signed checkpoint the statement's run is anchored to, using
// only the ledger's public key. Nothing the server says is taken on trust except which events it
// claims are behind each line; those claims are then checked against the events themselves.
//
// A proof may come against a later checkpoint than the run's (the ledger kept growing after the
// run). It then counts only with a consistency proof (RFC 9162 §2.1.4) that the later tree
// extends the run's, and only for events inside the run's tree size: together these show the
// event is that leaf of the tree the run's checkpoint signs.

import { bytesToHex, hexToBytes } from './bytes';
import { type Checkpoint, CheckpointError, formatTimestamp, parseCheckpoint, parseTimestamp, sameCheckpoint } from './checkpoint';
import { SignatureChecker, verifyBundle } from './bundle';
import { verifyConsistency } from './merkle';
import type { LineEventsPage, Statement, StatementLine, UsageEvent } from '../types';

export interface StatementVerificationInput {
  /** The run's period, "YYYY-MM" (a UTC calendar month). */
  period: string;
  /** The statement with its lines. */
  statement: Statement;
  /** The signed checkpoint of the run the statement belongs to, as the server sent it. */
  runCheckpoint: unknown;
  /** The ledger's public key, 64 hex digits, from GET /api/ledger/public-key. */
  publicKey: string;
  /** One page of the events behind a line (GET .../lines/{n}/events). */
  fetchLineEvents: (line: number, cursor: string | null) => Promise<LineEventsPage>;
  /**
   * A consistency proof bundle between two tree sizes (GET /api/ledger/proofs/consistency), used
   * only when events are proven against a later checkpoint than the run's.
   */
  fetchConsistency?: (oldSize: string, newSize: string) => Promise<unknown>;
  onProgress?: (progress: { linesDone: number; lines: number; events: number }) => void;
}

export interface LineReport {
  line: number;
  kind: string;
  uses: number;
  events: number;
  ok: boolean;
}

export interface CheckpointSummary {
  treeSize: string;
  root: string;
  time: string;
}

export interface StatementReport {
  ok: boolean;
  publicKey: string;
  checkpoint: CheckpointSummary | null;
  /** Other signed checkpoints the events were proven against, each tied to the run's. */
  otherCheckpoints: (CheckpointSummary & { consistency: 'same root' | 'proven' | 'failed' })[];
  signatureOk: boolean;
  lines: LineReport[];
  /** Proofs checked (an event behind two lines is checked twice). */
  proofsChecked: number;
  /** Distinct ledger events behind the statement. */
  distinctEvents: number;
  failures: string[];
}

/** A statement line's events must fall in its period: [first of month, first of next month). */
export function periodBounds(period: string): { start: number; end: number } | null {
  const match = /^(\d{4})-(\d{2})$/.exec(period);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  if (month < 1 || month > 12) return null;
  const start = parseTimestamp(`${match[1]}-${match[2]}-01`);
  const nextYear = month === 12 ? year + 1 : year;
  const nextMonth = month === 12 ? 1 : month + 1;
  const end = parseTimestamp(`${String(nextYear).padStart(4, '0')}-${String(nextMonth).padStart(2, '0')}-01`);
  return start === null || end === null ? null : { start, end };
}

/** The ways an event can disagree with the line it is said to be behind. */
function eventMismatches(event: UsageEvent, line: StatementLine, bounds: { start: number; end: number } | null): string[] {
  const problems: string[] = [];
  if (line.isrc && !event.recordings.some((recording) => recording.isrc === line.isrc)) {
    problems.push(`does not use recording ${line.isrc}`);
  }
  if (line.scope && event.scope !== line.scope) problems.push(`is a ${event.scope} use, the line is ${line.scope}`);
  if (line.territory && event.territory !== line.territory) {
    problems.push(`happened in ${event.territory}, the line is ${line.territory}`);
  }
  const time = parseTimestamp(event.time);
  if (bounds && (time === null || time < bounds.start || time >= bounds.end)) {
    problems.push(`happened at ${event.time}, outside the period`);
  }
  return problems;
}

const PAGE_GUARD = 100_000;

function summarize(checkpoint: Checkpoint): CheckpointSummary {
  return {
    treeSize: checkpoint.treeSize.toString(),
    root: bytesToHex(checkpoint.root),
    time: formatTimestamp(checkpoint.timeMillis),
  };
}

export async function verifyStatement(input: StatementVerificationInput): Promise<StatementReport> {
  const failures: string[] = [];
  const publicKey = input.publicKey.toLowerCase();
  const signatures = new SignatureChecker(publicKey);
  const report: StatementReport = {
    ok: false,
    publicKey,
    checkpoint: null,
    otherCheckpoints: [],
    signatureOk: false,
    lines: [],
    proofsChecked: 0,
    distinctEvents: 0,
    failures,
  };

  let anchor: Checkpoint;
  try {
    anchor = parseCheckpoint(input.runCheckpoint, `run ${input.period} checkpoint`);
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
    failures.push(error.message);
    return report;
  }
  report.checkpoint = summarize(anchor);
  try {
    report.signatureOk = await signatures.verify(anchor);
  } catch (error) {
    failures.push(`the public key cannot be used: ${(error as Error).message}`);
    return report;
  }
  if (!report.signatureOk) {
    failures.push(
      `the run's checkpoint (size ${anchor.treeSize}, root ${bytesToHex(anchor.root)}) is not signed by key ${publicKey}`,
    );
  }

  // Ties a checkpoint other than the run's to it: undefined when it is tied, else what is wrong.
  const checkTie = async (other: Checkpoint): Promise<string | undefined> => {
    const summary = { ...summarize(other), consistency: 'failed' as 'same root' | 'proven' | 'failed' };
    report.otherCheckpoints.push(summary);
    const against = `is proven against checkpoint size ${other.treeSize}, root ${bytesToHex(other.root)}, not the run's (size ${anchor.treeSize}, root ${bytesToHex(anchor.root)})`;
    if (other.treeSize < anchor.treeSize) return `${against}, and that checkpoint is older than the run's`;
    if (other.treeSize === anchor.treeSize) {
      const same = await verifyConsistency(anchor.treeSize, other.treeSize, anchor.root, other.root, []);
      if (!same.ok) return `${against}: ${same.message}`;
      summary.consistency = 'same root';
      return undefined;
    }
    if (!input.fetchConsistency) return `${against}, and no consistency proof can be fetched`;
    let proof: Uint8Array[];
    try {
      const bundle = (await input.fetchConsistency(anchor.treeSize.toString(), other.treeSize.toString())) as { proof?: unknown };
      if (!Array.isArray(bundle.proof)) return `${against}: the consistency proof has no /proof array`;
      proof = bundle.proof.map((hex: unknown, i: number) => {
        const bytes = typeof hex === 'string' ? hexToBytes(hex, 32) : null;
        if (!bytes) throw new Error(`consistency proof /proof/${i}: not 64 hex digits`);
        return bytes;
      });
    } catch (error) {
      return `${against}: the consistency proof could not be fetched or read (${(error as Error).message})`;
    }
    const consistent = await verifyConsistency(anchor.treeSize, other.treeSize, anchor.root, other.root, proof);
    if (!consistent.ok) return `${against}: ${consistent.message}`;
    summary.consistency = 'proven';
    return undefined;
  };

  // Each other checkpoint is tied once, however many events were proven against it.
  const ties = new Map<string, Promise<string | undefined>>();
  const tiedToRun = (other: Checkpoint): Promise<string | undefined> => {
    const key = `${other.treeSize}:${bytesToHex(other.root)}:${bytesToHex(other.signature)}`;
    let tie = ties.get(key);
    if (!tie) {
      tie = checkTie(other);
      ties.set(key, tie);
    }
    return tie;
  };
  const bounds = periodBounds(input.period);
  if (!bounds) failures.push(`period ${JSON.stringify(input.period)} is not YYYY-MM`);
  const lines = input.statement.lines ?? [];
  const seen = new Set<number>();
  for (const [lineIndex, line] of lines.entries()) {
    if (line.kind === 'guarantee') {
      // A guarantee top-up has no recording and so no events: it is paid because the licensor
      // earned less than the guarantee, which the other lines (of this and other statements) show.
      report.lines.push({ line: line.line, kind: line.kind, uses: line.uses, events: 0, ok: true });
      input.onProgress?.({ linesDone: lineIndex + 1, lines: lines.length, events: report.proofsChecked });
      continue;
    }
    const lineFailures: string[] = [];
    const sequences = new Set<number>();
    let cursor: string | null = null;
    let count: number | null = null;
    for (let page = 0; ; page++) {
      if (page === PAGE_GUARD) {
        lineFailures.push(`the server kept returning pages of events (${PAGE_GUARD}); stopped`);
        break;
      }
      const result: LineEventsPage = await input.fetchLineEvents(line.line, cursor);
      if (count === null) count = result.count;
      for (const item of result.items) {
        const where = `event ${item.event_id} (sequence ${item.sequence})`;
        report.proofsChecked++;
        if (sequences.has(item.sequence)) {
          lineFailures.push(`${where} is listed twice`);
          continue;
        }
        sequences.add(item.sequence);
        seen.add(item.sequence);
        const checked = await verifyBundle(item.proof, signatures);
        if (!checked.ok) {
          lineFailures.push(`${where}: ${checked.message}`);
          continue;
        }
        const bundle = checked.bundle;
        if (!sameCheckpoint(bundle.checkpoint, anchor)) {
          const problem = await tiedToRun(bundle.checkpoint);
          if (problem) lineFailures.push(`${where} ${problem}`);
          else if (bundle.leafIndex >= anchor.treeSize) {
            lineFailures.push(`${where} is leaf ${bundle.leafIndex}, beyond the run's checkpoint of ${anchor.treeSize} events`);
          }
        }
        if (bundle.leafIndex + 1n !== BigInt(item.sequence)) {
          lineFailures.push(`${where}: the proof is for leaf ${bundle.leafIndex}, which is sequence ${bundle.leafIndex + 1n}`);
        }
        let event: UsageEvent;
        try {
          event = JSON.parse(bundle.event) as UsageEvent;
        } catch {
          lineFailures.push(`${where}: the proven event is not JSON`);
          continue;
        }
        if (event.id !== item.event_id) lineFailures.push(`${where}: the proven event is ${event.id}`);
        const mismatches = eventMismatches(event, line, bounds);
        if (mismatches.length > 0) lineFailures.push(`${where} ${mismatches.join('; ')}`);
      }
      cursor = result.next_cursor;
      if (cursor === null || cursor === undefined || cursor === '') break;
    }
    if (count !== null && count !== sequences.size) {
      lineFailures.push(`the server counts ${count} events but listed ${sequences.size}`);
    }
    if (sequences.size !== line.uses) {
      lineFailures.push(`the line counts ${line.uses} uses but ${sequences.size} events are behind it`);
    }
    failures.push(...lineFailures.map((failure) => `line ${line.line}: ${failure}`));
    report.lines.push({ line: line.line, kind: line.kind, uses: line.uses, events: sequences.size, ok: lineFailures.length === 0 });
    input.onProgress?.({ linesDone: lineIndex + 1, lines: lines.length, events: report.proofsChecked });
  }
  report.distinctEvents = seen.size;
  report.ok = failures.length === 0 && report.signatureOk;
  return report;
}
