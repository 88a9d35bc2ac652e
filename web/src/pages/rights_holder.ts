// The rights holder's page (a label, distributor or publisher): its agreements, how much of its
// catalog is opted in per AI use, earnings by period, and statements with downloads.

import { seg } from '../api';
import { barChart, shareBars, swatch } from '../charts';
import { type Context, money, scopeName } from '../context';
import { formatDate, h, loadInto, section, table } from '../dom';
import type { Agreement, Coverage, Earning } from '../types';
import { statementsSection } from './statements';

function termsText(terms: Agreement['terms']): string {
  if (!terms) return '—';
  const parts: string[] = [];
  const currency = typeof terms.currency === 'string' ? terms.currency : '';
  const perUse = terms.per_use;
  if (perUse && typeof perUse === 'object') {
    for (const [scope, rate] of Object.entries(perUse as Record<string, unknown>)) {
      parts.push(`${scope}: ${String(rate)} ${currency} per use`);
    }
  }
  if (typeof terms.revenue_share_ppm === 'number') parts.push(`revenue share ${terms.revenue_share_ppm / 10_000}%`);
  if (terms.minimum_guarantee !== undefined) parts.push(`minimum guarantee ${String(terms.minimum_guarantee)} ${currency}`);
  return parts.length ? parts.join('; ') : JSON.stringify(terms);
}

export function agreementsTable(agreements: Agreement[]): HTMLElement {
  if (agreements.length === 0) return h('p', null, 'No agreements on file.');
  return table(
    ['Agreement', 'Licensor', 'AI uses', 'Territories', 'In force', 'Recordings', 'Terms'],
    agreements.map((agreement) => [
      h('code', null, agreement.id),
      agreement.licensor,
      (agreement.scopes ?? []).map(scopeName).join(', '),
      agreement.territories,
      [
        h('span', { class: 'nowrap' }, `from ${formatDate(agreement.start)}`),
        ' ',
        h('span', { class: 'nowrap' }, agreement.end ? `until ${formatDate(agreement.end)}` : 'open-ended'),
      ],
      agreement.recordings === 'all_controlled' ? 'everything the licensor controls' : agreement.recordings.join(', '),
      agreement.access === 'covered'
        ? h('span', { class: 'muted' }, `Not shown to you: they are between ${agreement.licensor} and the platform.`)
        : termsText(agreement.terms),
    ]),
    'Agreements',
  );
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)}%` : '—';
}

function coverageView(coverage: Coverage): HTMLElement {
  return h(
    'div',
    null,
    h('p', null, `Your catalog: ${coverage.recordings} recordings by ${coverage.artists} artists.`),
    h(
      'ul',
      { class: 'coverage-list' },
      coverage.scopes.map((scope) =>
        h(
          'li',
          { class: 'coverage-row', 'data-scope': scope.scope },
          h('div', { class: 'coverage-text' }, h('h3', null, scopeName(scope.scope)), h('p', { class: 'muted' }, scope.description)),
          h(
            'div',
            { class: 'coverage-bars' },
            shareBars(scopeName(scope.scope), [
              { label: 'Recordings with their artists’ consent', part: scope.recordings_allowed, whole: coverage.recordings },
              { label: 'Artists opted in', part: scope.artists_opted_in, whole: coverage.artists },
            ]),
            h(
              'ul',
              { class: 'bar-legend' },
              h(
                'li',
                null,
                swatch(0),
                `Recordings with their artists’ consent: ${scope.recordings_allowed} of ${coverage.recordings} (${percent(scope.recordings_allowed, coverage.recordings)})`,
              ),
              h(
                'li',
                null,
                swatch(1),
                `Artists opted in: ${scope.artists_opted_in} of ${coverage.artists} (${percent(scope.artists_opted_in, coverage.artists)})`,
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/** The amount in major units for the chart's scale ("348.82" with 34882 minor → 348.82). */
function majorUnits(item: Earning): number {
  const decimals = item.amount.split('.')[1]?.length ?? 0;
  return item.amount_minor / 10 ** decimals;
}

function earningsView(items: Earning[]): HTMLElement {
  if (items.length === 0) return h('p', null, 'No earnings yet.');
  const currencies = [...new Set(items.map((item) => item.currency))].sort();
  return h(
    'div',
    null,
    currencies.map((currency) => {
      const rows = items.filter((item) => item.currency === currency).sort((a, b) => a.period.localeCompare(b.period));
      return h(
        'div',
        { class: 'earnings-currency' },
        h('h3', null, currency),
        barChart(
          `Earnings in ${currency} by period`,
          rows.map((item) => ({ label: item.period, value: majorUnits(item), text: money(item.amount, currency) })),
          currency,
        ),
      );
    }),
  );
}

export function rightsHolderPage(ctx: Context): HTMLElement {
  const party = ctx.me.party;
  const agreements = section('Agreements', 'agreements', 'The licenses you signed with the platform (which AI uses, where, when and at what price), and those others signed that license your music, such as your distributor’s.');
  loadInto(agreements.body, async () => agreementsTable(await ctx.api.all<Agreement>('/api/agreements')), 'loading agreements');

  const coverage = section(
    'Catalog coverage',
    'coverage',
    'For each AI use: how many of your recordings have the consent of every main artist now (their own choice, or the platform default), and how many of your artists are opted in.',
  );
  loadInto(coverage.body, async () => coverageView(await ctx.api.get<Coverage>(`/api/parties/${seg(party)}/coverage`)), 'loading coverage');

  const earnings = section('Earnings', 'earnings', 'What your statements paid, per period and currency.');
  loadInto(
    earnings.body,
    async () => earningsView((await ctx.api.get<{ items: Earning[] }>(`/api/parties/${seg(party)}/earnings`)).items),
    'loading earnings',
  );

  return h(
    'div',
    { class: 'page', 'data-page': 'rights-holder' },
    h('h1', null, ctx.me.party_name || party),
    h('p', { class: 'lead' }, 'How AI features use your catalog, under which agreements, and what it earned.'),
    agreements.root,
    coverage.root,
    earnings.root,
    statementsSection(ctx, 'Your statements by period. Download them as CSV or as a DSR-style flat file, or verify them against the signed ledger.'),
  );
}
