// The shapes of the server's JSON API (src/server/api.cc is the source of truth). Only the fields
// the portal reads are listed; the server may send more.

export type Role = 'artist' | 'rights_holder' | 'admin' | 'auditor' | 'listener';
export type Choice = 'opt_in' | 'opt_out';

export interface Me {
  role: Role;
  party: string;
  party_name: string;
  token_id: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Party {
  id: string;
  kind: string;
  name: string;
  acts_for?: string[];
}

export interface ScopeConsent {
  scope: string;
  description: string;
  /** The platform's default for the scope. */
  mode: Choice;
  /** What applies now: the party's latest consent, or the default. */
  choice: Choice;
  source: 'consent' | 'default';
  effective: string | null;
}

export interface ConsentRecord {
  id: string;
  party: string;
  scope: string;
  choice: Choice;
  effective: string;
  recorded_by: string;
  method: string;
}

export interface Consents {
  party: string;
  scopes: ScopeConsent[];
  history: ConsentRecord[];
}

export interface Recording {
  isrc: string;
  title: string;
  main_artists: string[];
  featured_artists?: string[];
  master_owners: { party: string; ppm: number }[];
  work?: string;
}

export interface Reason {
  rule: string;
  party: string;
  record: string;
  message: string;
}

export interface Decision {
  allowed: boolean;
  scope: string;
  recording: string;
  territory: string;
  at: string;
  agreements: string[];
  consents: string[];
  reasons: Reason[];
}

export interface Agreement {
  id: string;
  licensor: string;
  scopes: string[];
  territories: string;
  start: string;
  end?: string | null;
  /** "all_controlled": everything the licensor controls; else the ISRCs it lists. */
  recordings: string[] | 'all_controlled';
  terms?: Record<string, unknown> | null;
  /** "full": signed by the caller or a party it acts for; "covered": it licenses the caller's music, terms left out. */
  access?: 'full' | 'covered';
}

export interface UsageEvent {
  sequence?: number;
  id: string;
  time: string;
  listener: string;
  territory: string;
  scope: string;
  feature: string;
  recordings: { isrc: string; weight_ppm: number }[];
  duration_ms?: number;
  session?: string;
  requested?: boolean;
}

export interface UsageStats {
  days: { day: string; feature: string; uses: number }[];
}

export interface Coverage {
  party: string;
  recordings: number;
  artists: number;
  scopes: { scope: string; description: string; recordings_allowed: number; artists_opted_in: number }[];
}

export interface Earning {
  period: string;
  currency: string;
  amount: string;
  amount_minor: number;
}

export interface CheckpointJson {
  format?: string;
  tree_size: number;
  root: string;
  time: string;
  signature: string;
}

export interface RoyaltyRun {
  period: string;
  start?: string;
  end?: string;
  events?: number;
  /** How many statements the run holds. */
  statements?: number;
  checkpoint: CheckpointJson;
  /** Per currency: {"EUR": {"pools","fees","guarantees",["retained",]"paid"}} (decimal strings). */
  totals?: Record<string, Record<string, string>>;
}

export interface StatementLine {
  line: number;
  kind: 'pool' | 'fee' | 'guarantee' | string;
  source: string;
  isrc: string;
  scope: string;
  territory: string;
  role: string;
  share_ppm: number;
  uses: number;
  weight?: string;
  pool_weight?: string;
  /** Gross pools: the revenue share a holder was paid at, and the agreements it came from. */
  revenue_share_ppm?: number;
  agreements?: string;
  rate?: string;
  earned?: string;
  guarantee?: string;
  amount: string;
  currency: string;
}

/** A statement as GET .../statements/{party} returns it (with its lines). */
export interface Statement {
  party: string;
  party_name: string;
  totals: Record<string, string>;
  lines?: StatementLine[];
}

/** A statement in the list of a run: its lines are only counted. */
export interface StatementSummary {
  party: string;
  party_name: string;
  totals: Record<string, string>;
  lines: number;
}

export interface LineEvent {
  sequence: number;
  event_id: string;
  proof: unknown;
}

export interface LineEventsPage {
  line: StatementLine;
  count: number;
  items: LineEvent[];
  next_cursor: string | null;
}

export interface TokenInfo {
  id: string;
  role: Role;
  party: string;
  created: string;
  /** When it was revoked, or null. */
  revoked: string | null;
}

export interface NewToken extends TokenInfo {
  token: string;
}
