// The browser verifier against real proofs written by the C++ ledger (fixtures/, rebuilt by
// fixtures/make_fixtures.sh) and the certificate-transparency known answers: everything valid
// verifies, and a single flipped bit anywhere (event, audit path, root, size, time, signature,
// key) fails.

import { describe, expect, it } from 'vitest';

import proofFixture from './fixtures/proof.json';
import keyFixture from './fixtures/public_key.json';
import statementFixture from './fixtures/statement.json';
import { bytesToHex, hexToBytes, utf8 } from '../src/verify/bytes';
import {
  checkpointText,
  formatTimestamp,
  parseCheckpoint,
  parseTimestamp,
  verifyCheckpointSignature,
} from '../src/verify/checkpoint';
import { SignatureChecker, verifyBundle } from '../src/verify/bundle';
import { leafHash, verifyConsistency, verifyInclusion } from '../src/verify/merkle';
import { periodBounds, verifyStatement } from '../src/verify/statement';
import type { LineEventsPage, Statement } from '../src/types';

const publicKey = keyFixture.public_key;

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Flips bit `bit` (0 = the lowest bit of the first byte) of a hex string. */
function flipHexBit(hex: string, bit: number): string {
  const bytes = hexToBytes(hex);
  if (!bytes) throw new Error(`not hex: ${hex}`);
  bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (1 << (bit & 7));
  return bytesToHex(bytes);
}

/** Flips bit `bit` of the character at `index` (staying in 7-bit ASCII). */
function flipCharBit(text: string, index: number, bit: number): string {
  const code = text.charCodeAt(index) ^ (1 << bit);
  return text.slice(0, index) + String.fromCharCode(code) + text.slice(index + 1);
}

async function verifies(bundle: unknown, key = publicKey): Promise<boolean> {
  return (await verifyBundle(bundle, new SignatureChecker(key))).ok;
}

describe('hex', () => {
  it('round-trips and accepts either case', () => {
    expect(bytesToHex(hexToBytes('00ff10Ab')!)).toBe('00ff10ab');
  });
  it('refuses odd lengths, non-hex and wrong lengths', () => {
    expect(hexToBytes('abc')).toBeNull();
    expect(hexToBytes('zz')).toBeNull();
    expect(hexToBytes('abcd', 3)).toBeNull();
  });
});

describe('timestamps, as Timestamp::Parse and ToString', () => {
  it('writes seconds always and milliseconds only when there are some', () => {
    expect(formatTimestamp(parseTimestamp('2026-01-31T12:00:00Z')!)).toBe('2026-01-31T12:00:00Z');
    expect(formatTimestamp(parseTimestamp('2026-01-31T12:00:00.250Z')!)).toBe('2026-01-31T12:00:00.250Z');
    expect(formatTimestamp(parseTimestamp('2026-01-31T12:00:00.000Z')!)).toBe('2026-01-31T12:00:00Z');
  });
  it('moves offsets to UTC and reads short fractions as milliseconds', () => {
    expect(formatTimestamp(parseTimestamp('2026-01-31T13:00:00.25+01:00')!)).toBe('2026-01-31T12:00:00.250Z');
    expect(formatTimestamp(parseTimestamp('2026-02-01T00:30:00+01:00')!)).toBe('2026-01-31T23:30:00Z');
    expect(formatTimestamp(parseTimestamp('2026-07-01')!)).toBe('2026-07-01T00:00:00Z');
  });
  it('handles the edges of the signable years', () => {
    expect(formatTimestamp(parseTimestamp('0001-01-01T00:00:00Z')!)).toBe('0001-01-01T00:00:00Z');
    expect(formatTimestamp(parseTimestamp('9999-12-31T23:59:59.999Z')!)).toBe('9999-12-31T23:59:59.999Z');
    expect(formatTimestamp(parseTimestamp('2024-02-29T00:00:00Z')!)).toBe('2024-02-29T00:00:00Z');
  });
  it('refuses what the C++ parser refuses', () => {
    for (const bad of [
      '0000-01-01T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2026-01-31T24:00:00Z',
      '2026-01-31T23:59:60Z',
      '2026-01-31T12:00:00.1234Z',
      '2026-01-31T12:00:00',
      '2026-01-31 12:00:00Z',
      '2026-01-31T12:00:00+1:00',
    ]) {
      expect(parseTimestamp(bad), bad).toBeNull();
    }
  });
  it('bounds a period to its UTC calendar month', () => {
    expect(periodBounds('2026-12')).toEqual({
      start: parseTimestamp('2026-12-01'),
      end: parseTimestamp('2027-01-01'),
    });
    expect(periodBounds('2026-13')).toBeNull();
  });
});

// transparency-dev/merkle testonly/constants.go and proof/verify_test.go, as in
// src/ledger/merkle_test.cc.
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_INCLUSION: { index: number; size: number; path: string[] }[] = [
  { index: 0, size: 1, path: [] },
  {
    index: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, path: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    path: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

describe('Merkle inclusion (RFC 9162 §2.1.3.2)', () => {
  const hexes = (list: string[]) => list.map((hex) => hexToBytes(hex, 32)!);

  it('hashes the CT leaves and verifies the CT inclusion proofs', async () => {
    expect(bytesToHex(await leafHash(hexToBytes(CT_LEAVES[0]!)!))).toBe(CT_ROOTS[1]);
    for (const vector of CT_INCLUSION) {
      const leaf = await leafHash(hexToBytes(CT_LEAVES[vector.index]!)!);
      const result = await verifyInclusion(
        leaf,
        BigInt(vector.index),
        BigInt(vector.size),
        hexes(vector.path),
        hexToBytes(CT_ROOTS[vector.size]!, 32)!,
      );
      expect(result, `${vector.index} of ${vector.size}`).toEqual({ ok: true, root: CT_ROOTS[vector.size] });
    }
  });

  it('fails for another index, a shorter or longer path, and an index beyond the size', async () => {
    const vector = CT_INCLUSION[2]!; // leaf 5 of 8
    const leaf = await leafHash(hexToBytes(CT_LEAVES[5]!)!);
    const root = hexToBytes(CT_ROOTS[8]!, 32)!;
    const path = hexes(vector.path);
    for (let other = 0; other < 8; other++) {
      if (other === 5) continue;
      expect((await verifyInclusion(leaf, BigInt(other), 8n, path, root)).ok, `index ${other}`).toBe(false);
    }
    const shorter = await verifyInclusion(leaf, 5n, 8n, path.slice(0, 2), root);
    expect(shorter).toMatchObject({ ok: false, code: 'invalid_argument' });
    const longer = await verifyInclusion(leaf, 5n, 8n, [...path, path[0]!], root);
    expect(longer).toMatchObject({ ok: false, code: 'invalid_argument' });
    expect(await verifyInclusion(leaf, 8n, 8n, path, root)).toMatchObject({ ok: false, code: 'invalid_argument' });
  });

  it('names the computed and the signed root when the hashes differ', async () => {
    const leaf = await leafHash(hexToBytes('ff')!);
    const result = await verifyInclusion(leaf, 5n, 8n, hexes(CT_INCLUSION[2]!.path), hexToBytes(CT_ROOTS[8]!, 32)!);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe('data_loss');
      expect(result.message).toContain(CT_ROOTS[8]);
      expect(result.message).toContain(result.computedRoot);
    }
  });
});

describe('signed checkpoint', () => {
  const checkpoint = parseCheckpoint(proofFixture.checkpoint);

  it('rebuilds the exact signed text', () => {
    const json = proofFixture.checkpoint;
    expect(checkpointText(checkpoint)).toBe(
      `accord-ledger-checkpoint/v1\n${json.tree_size}\n${json.root}\n${json.time}\n`,
    );
  });

  it('verifies with the ledger key and fails with any other', async () => {
    expect(await verifyCheckpointSignature(checkpoint, publicKey)).toBe(true);
    expect(await verifyCheckpointSignature(checkpoint, publicKey.toUpperCase())).toBe(true);
    expect(await verifyCheckpointSignature(checkpoint, flipHexBit(publicKey, 0))).toBe(false);
    expect(await verifyCheckpointSignature(checkpoint, statementFixture.public_key)).toBe(false);
  });

  it('covers the values, not their spelling: an offset time signs the same', async () => {
    const json = clone(proofFixture.checkpoint);
    const millis = parseTimestamp(json.time)!;
    const shifted = new Date(millis + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    json.time = shifted;
    json.root = json.root.toUpperCase();
    expect(await verifyCheckpointSignature(parseCheckpoint(json), publicKey)).toBe(true);
  });

  it('refuses unknown, missing and malformed members', () => {
    expect(() => parseCheckpoint({ ...proofFixture.checkpoint, extra: 1 })).toThrow(/unknown member/);
    const { signature: _signature, ...withoutSignature } = proofFixture.checkpoint;
    expect(() => parseCheckpoint(withoutSignature)).toThrow(/signature: missing/);
    expect(() => parseCheckpoint({ ...proofFixture.checkpoint, tree_size: -1 })).toThrow(/tree_size/);
    expect(() => parseCheckpoint({ ...proofFixture.checkpoint, root: 'abc' })).toThrow(/root/);
    expect(() => parseCheckpoint({ ...proofFixture.checkpoint, format: 'x' })).toThrow(/format/);
  });
});

describe('proof bundle from `accord ledger prove`', () => {
  it('verifies', async () => {
    const result = await verifyBundle(proofFixture, new SignatureChecker(publicKey));
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.leafHash).toBe(bytesToHex(await leafHash(utf8(proofFixture.event))));
      expect(result.bundle.leafIndex).toBe(0n);
    }
  });

  it('fails for every flipped bit of the event', async () => {
    const signatures = new SignatureChecker(publicKey);
    for (let i = 0; i < proofFixture.event.length; i++) {
      for (const bit of [0, 5]) {
        const bundle = clone(proofFixture);
        bundle.event = flipCharBit(bundle.event, i, bit);
        const result = await verifyBundle(bundle, signatures);
        expect(result.ok, `event character ${i} bit ${bit}`).toBe(false);
        if (!result.ok) expect(result.step).toBe('inclusion');
      }
    }
  });

  it('fails for every flipped bit of the audit path', async () => {
    const signatures = new SignatureChecker(publicKey);
    for (let h = 0; h < proofFixture.inclusion_path.length; h++) {
      for (let bit = 0; bit < 256; bit++) {
        const bundle = clone(proofFixture);
        bundle.inclusion_path[h] = flipHexBit(bundle.inclusion_path[h]!, bit);
        const result = await verifyBundle(bundle, signatures);
        expect(result.ok, `path ${h} bit ${bit}`).toBe(false);
        if (!result.ok) expect(result.step).toBe('inclusion');
      }
    }
  });

  it('fails for every flipped bit of the root and of the signature', async () => {
    for (let bit = 0; bit < 256; bit++) {
      const bundle = clone(proofFixture);
      bundle.checkpoint.root = flipHexBit(bundle.checkpoint.root, bit);
      const result = await verifyBundle(bundle, new SignatureChecker(publicKey));
      expect(result.ok, `root bit ${bit}`).toBe(false);
      if (!result.ok) expect(result.step).toBe('signature');
    }
    for (let bit = 0; bit < 512; bit++) {
      const bundle = clone(proofFixture);
      bundle.checkpoint.signature = flipHexBit(bundle.checkpoint.signature, bit);
      expect(await verifies(bundle), `signature bit ${bit}`).toBe(false);
    }
  });

  it('fails for a changed tree size, time, leaf index or public key', async () => {
    for (let bit = 0; bit < 8; bit++) {
      const bundle = clone(proofFixture);
      bundle.checkpoint.tree_size ^= 1 << bit;
      expect(await verifies(bundle), `tree_size bit ${bit}`).toBe(false);
    }
    const later = clone(proofFixture);
    later.checkpoint.time = formatTimestamp(parseTimestamp(later.checkpoint.time)! + 1);
    expect(await verifies(later)).toBe(false);
    for (const index of [1, 2, 3, 4]) {
      const bundle = clone(proofFixture);
      bundle.leaf_index = index;
      expect(await verifies(bundle), `leaf_index ${index}`).toBe(false);
    }
    // The bundle names a different key than the one the ledger publishes.
    const otherKey = clone(proofFixture);
    otherKey.public_key = flipHexBit(otherKey.public_key, 3);
    const result = await verifyBundle(otherKey, new SignatureChecker(publicKey));
    expect(result).toMatchObject({ ok: false, step: 'key' });
    // A bundle whose key matches its own (forged) claim but not the published key.
    expect(await verifies(proofFixture, flipHexBit(publicKey, 3))).toBe(false);
  });

  it('refuses a malformed bundle with the member named', async () => {
    const bundle = clone(proofFixture) as Record<string, unknown>;
    delete bundle.inclusion_path;
    expect(await verifyBundle(bundle, new SignatureChecker(publicKey))).toMatchObject({
      ok: false,
      step: 'format',
      message: 'proof /inclusion_path: missing',
    });
  });
});

describe('statement verification', () => {
  type Fixture = typeof statementFixture;
  type Lines = Record<string, LineEventsPage>;
  const statement = statementFixture.statement as Statement;

  /** Serves `lines` the way the API pages them, `pageSize` events at a time. */
  function server(lines: Lines, pageSize = 1) {
    return async (line: number, cursor: string | null): Promise<LineEventsPage> => {
      const page = lines[String(line)];
      if (!page) throw new Error(`no line ${line}`);
      const start = cursor === null ? 0 : Number(cursor);
      const end = start + pageSize;
      return {
        ...page,
        items: page.items.slice(start, end),
        next_cursor: end < page.items.length ? String(end) : null,
      };
    };
  }

  function input(fixture: Fixture, lines: Lines = fixture.lines as unknown as Lines) {
    return {
      period: fixture.period,
      statement: fixture.statement as Statement,
      runCheckpoint: fixture.checkpoint,
      publicKey: fixture.public_key,
      fetchLineEvents: server(lines),
    };
  }

  it('checks every event behind every line', async () => {
    const progress: number[] = [];
    const report = await verifyStatement({ ...input(statementFixture), onProgress: (p) => progress.push(p.linesDone) });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.signatureOk).toBe(true);
    expect(report.otherCheckpoints).toEqual([]);
    expect(report.lines.length).toBe(statement.lines!.length);
    expect(report.lines.every((line) => line.ok && line.events === line.uses)).toBe(true);
    expect(report.proofsChecked).toBe(statement.lines!.reduce((sum, line) => sum + line.uses, 0));
    expect(report.distinctEvents).toBe(2);
    expect(report.checkpoint).toEqual({
      treeSize: String(statementFixture.checkpoint.tree_size),
      root: statementFixture.checkpoint.root,
      time: statementFixture.checkpoint.time,
    });
    expect(progress).toEqual(statement.lines!.map((_, i) => i + 1));
  });

  it('names the line and event of a tampered proof', async () => {
    const fixture = clone(statementFixture);
    const item = (fixture.lines as unknown as Lines)['5']!.items[0]!;
    const proof = item.proof as { event: string };
    proof.event = proof.event.replace('"territory":"DE"', '"territory":"AT"');
    const report = await verifyStatement(input(fixture));
    expect(report.ok).toBe(false);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatch(/^line 5: event demo-remix-0001 \(sequence 5\): event at leaf 4 .*signed root is/);
    expect(report.lines.find((line) => line.line === 5)?.ok).toBe(false);
  });

  it('fails when the run is not signed by the published key', async () => {
    const report = await verifyStatement({ ...input(statementFixture), publicKey: keyFixture.public_key });
    expect(report.ok).toBe(false);
    expect(report.signatureOk).toBe(false);
    expect(report.failures[0]).toMatch(/is not signed by key/);
  });

  it('fails when the proofs name another key than the published one', async () => {
    const report = await verifyStatement({
      ...input(statementFixture),
      runCheckpoint: proofFixture.checkpoint,
      publicKey: keyFixture.public_key,
    });
    expect(report.signatureOk).toBe(true);
    expect(report.ok).toBe(false);
    expect(report.failures.every((failure) => /names public key/.test(failure))).toBe(true);
  });

  it('accepts another signature of the same tree (same size, same root)', async () => {
    const report = await verifyStatement({ ...input(statementFixture), runCheckpoint: statementFixture.resigned_checkpoint });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.otherCheckpoints).toEqual([
      {
        treeSize: '5',
        root: statementFixture.checkpoint.root,
        time: statementFixture.checkpoint.time,
        consistency: 'same root',
      },
    ]);
  });

  describe('with proofs against a later checkpoint', () => {
    const later = statementFixture.lines_later as unknown as Lines;

    it('verifies through the consistency proof from the run to it', async () => {
      const asked: string[] = [];
      const report = await verifyStatement({
        ...input(statementFixture, later),
        fetchConsistency: async (oldSize, newSize) => {
          asked.push(`${oldSize}->${newSize}`);
          return statementFixture.consistency;
        },
      });
      expect(report.failures).toEqual([]);
      expect(report.ok).toBe(true);
      expect(asked).toEqual(['5->6']); // once, however many events
      expect(report.otherCheckpoints).toMatchObject([{ treeSize: '6', consistency: 'proven' }]);
    });

    it('fails without a consistency proof', async () => {
      const report = await verifyStatement(input(statementFixture, later));
      expect(report.ok).toBe(false);
      expect(report.failures[0]).toMatch(
        /^line 1: event demo-dj-0001 \(sequence 1\) is proven against checkpoint size 6, root .*, not the run's \(size 5, .*no consistency proof can be fetched$/,
      );
    });

    it('fails for every flipped bit of the consistency proof', async () => {
      const proof = statementFixture.consistency.proof;
      for (let h = 0; h < proof.length; h++) {
        for (const bit of [0, 77, 255]) {
          const bundle = clone(statementFixture.consistency);
          bundle.proof[h] = flipHexBit(bundle.proof[h]!, bit);
          const report = await verifyStatement({ ...input(statementFixture, later), fetchConsistency: async () => bundle });
          expect(report.ok, `hash ${h} bit ${bit}`).toBe(false);
          expect(report.failures[0]).toMatch(/consistency proof leads to (old|new) root/);
        }
      }
    });

    it('reports a consistency proof that cannot be fetched', async () => {
      const report = await verifyStatement({
        ...input(statementFixture, later),
        fetchConsistency: async () => {
          throw new Error('403 permission_denied');
        },
      });
      expect(report.ok).toBe(false);
      expect(report.failures[0]).toMatch(/could not be fetched or read \(403 permission_denied\)$/);
    });

    it('refuses an event beyond the run even though it is in the later tree', async () => {
      const lines = clone(later);
      // The sixth event (1 August) is validly proven against the later checkpoint, but the run
      // (5 events, July) never counted it.
      lines['1']!.items.push({ sequence: 6, event_id: 'fixture-dj-0801', proof: clone(statementFixture.august_proof) });
      const report = await verifyStatement({ ...input(statementFixture, lines), fetchConsistency: async () => statementFixture.consistency });
      expect(report.ok).toBe(false);
      expect(report.failures).toContain(
        "line 1: event fixture-dj-0801 (sequence 6) is leaf 5, beyond the run's checkpoint of 5 events",
      );
      expect(report.failures).toContain(
        'line 1: event fixture-dj-0801 (sequence 6) happened at 2026-08-01T10:00:00Z, outside the period',
      );
    });
  });

  it('fails when the server puts an event behind a line it does not belong to', async () => {
    const fixture = clone(statementFixture);
    const lines = fixture.lines as unknown as Lines;
    lines['1']!.items = clone(lines['5']!.items); // a remix event behind a dj line
    const report = await verifyStatement(input(fixture));
    expect(report.ok).toBe(false);
    expect(report.failures).toContain('line 1: event demo-remix-0001 (sequence 5) is a remix use, the line is dj');
  });

  it('fails when events are missing from a line', async () => {
    const fixture = clone(statementFixture);
    const lines = fixture.lines as unknown as Lines;
    lines['2']!.items = [];
    const report = await verifyStatement(input(fixture));
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([
      'line 2: the server counts 1 events but listed 0',
      'line 2: the line counts 1 uses but 0 events are behind it',
    ]);
  });
});

describe('Merkle consistency (RFC 9162 §2.1.4.2)', () => {
  const hexes = (list: string[]) => list.map((hex) => hexToBytes(hex, 32)!);
  const root = (size: number) => hexToBytes(CT_ROOTS[size]!, 32)!;
  const vectors: { from: number; to: number; proof: string[] }[] = [
    { from: 1, to: 1, proof: [] },
    {
      from: 1,
      to: 8,
      proof: [
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
      ],
    },
    {
      from: 6,
      to: 8,
      proof: [
        '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    },
    {
      from: 2,
      to: 5,
      proof: [
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      ],
    },
  ];

  it('verifies the CT consistency proofs and the CLI one', async () => {
    for (const vector of vectors) {
      const result = await verifyConsistency(BigInt(vector.from), BigInt(vector.to), root(vector.from), root(vector.to), hexes(vector.proof));
      expect(result, `${vector.from} -> ${vector.to}`).toEqual({ ok: true });
    }
    const cli = statementFixture.consistency;
    const result = await verifyConsistency(
      BigInt(cli.old_checkpoint.tree_size),
      BigInt(cli.new_checkpoint.tree_size),
      hexToBytes(cli.old_checkpoint.root, 32)!,
      hexToBytes(cli.new_checkpoint.root, 32)!,
      hexes(cli.proof),
    );
    expect(result).toEqual({ ok: true });
  });

  it('fails for other sizes, swapped roots, and shorter or longer proofs', async () => {
    const vector = vectors[2]!; // 6 -> 8
    const proof = hexes(vector.proof);
    // (6 -> 7 with this proof would verify: the path has the same shape. That is why the sizes
    // must come from signed checkpoints; see ledger_proofs.md.)
    expect((await verifyConsistency(6n, 7n, root(6), root(7), proof)).ok).toBe(false);
    expect((await verifyConsistency(5n, 8n, root(6), root(8), proof)).ok).toBe(false);
    expect((await verifyConsistency(6n, 8n, root(8), root(6), proof)).ok).toBe(false);
    expect((await verifyConsistency(6n, 8n, root(6), root(8), proof.slice(0, 2))).ok).toBe(false);
    expect((await verifyConsistency(6n, 8n, root(6), root(8), [...proof, proof[0]!])).ok).toBe(false);
    expect((await verifyConsistency(0n, 8n, root(6), root(8), proof)).ok).toBe(false);
    expect((await verifyConsistency(8n, 6n, root(6), root(8), proof)).ok).toBe(false);
    expect((await verifyConsistency(6n, 6n, root(6), root(8), [])).ok).toBe(false);
  });
});
