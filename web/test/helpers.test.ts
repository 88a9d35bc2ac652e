// Small pure helpers of the pages: axis ticks, day ranges, period bounds for the date inputs.

import { describe, expect, it } from 'vitest';

import { daysBetween, niceTicks } from '../src/charts';
import { utcFromLocalInput } from '../src/pages/artist';

describe('niceTicks', () => {
  it('gives whole-number ticks for small counts', () => {
    expect(niceTicks(3, true)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(1, true)).toEqual([0, 1]);
    expect(niceTicks(7, true)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(13, true)).toEqual([0, 5, 10, 15]);
    expect(niceTicks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
  it('gives round ticks for money and for large numbers', () => {
    expect(niceTicks(348.82)).toEqual([0, 100, 200, 300, 400]);
    expect(niceTicks(0.35)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    expect(niceTicks(1_234_567)).toEqual([0, 500_000, 1_000_000, 1_500_000]);
  });
  it('has an axis even with nothing to show', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});

describe('daysBetween', () => {
  it('lists every day, across months and years', () => {
    expect(daysBetween('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
    expect(daysBetween('2026-07-01', '2026-07-01')).toEqual(['2026-07-01']);
  });
});

describe('utcFromLocalInput', () => {
  it('reads a datetime-local value as UTC, and empty as now', () => {
    expect(utcFromLocalInput('2026-07-01T12:30')).toBe('2026-07-01T12:30:00Z');
    expect(utcFromLocalInput('2026-07-01T12:30:05')).toBe('2026-07-01T12:30:05Z');
    expect(utcFromLocalInput('')).toBeUndefined();
  });
});
