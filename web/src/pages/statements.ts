// Royalty statements, shared by the artist, rights-holder and auditor pages: the runs by period,
// the statements the caller may see, their lines, CSV/DSR downloads, and "Verify", which checks
// in this browser every event behind every line against the run's signed checkpoint.

import { seg } from '../api';
import { type Context, money, ppmPercent, scopeName } from '../context';
import { errorBox, formatTime, h, loadInto, saveBlob, section, shortHex, table } from '../dom';
import type { LineEventsPage, RoyaltyRun, Statement, StatementLine, StatementSummary } from '../types';
import { type StatementReport, verifyStatement } from '../verify/statement';

function totalsText(totals: Record<string, string> | undefined): string {
  const entries = Object.entries(totals ?? {});
  return entries.length ? entries.map(([currency, amount]) => money(amount, currency)).join(' + ') : 'nothing';
}

function basis(line: StatementLine): string {
  if (line.kind === 'pool') {
    const share = `${line.weight ?? '?'} / ${line.pool_weight ?? '?'} of the pool`;
    // Gross pools: a holder is paid its agreement's revenue share; the platform keeps the rest.
    if (line.role === 'platform') return `${share}, retained ${ppmPercent(line.share_ppm)} of the line`;
    if (line.revenue_share_ppm !== undefined) {
      return `${share} at a ${ppmPercent(line.revenue_share_ppm)} revenue share (${line.agreements ?? ''})`;
    }
    return share;
  }
  if (line.kind === 'fee') return `${line.rate ?? '?'} per use`;
  if (line.kind === 'guarantee') return `earned ${line.earned ?? '?'} of a ${line.guarantee ?? '?'} guarantee`;
  return '';
}

function linesTable(statement: Statement): HTMLElement {
  const lines = statement.lines ?? [];
  if (lines.length === 0) return h('p', null, 'This statement has no lines.');
  return table(
    ['Line', 'Amount', 'Recording', 'AI use', 'Territory', 'Role', 'Share', 'Uses', 'Kind', 'Source', 'Basis'],
    lines.map((line) => [
      line.line,
      h('span', { class: 'amount' }, money(line.amount, line.currency)),
      line.isrc || '—',
      line.scope ? scopeName(line.scope) : '—',
      line.territory || '—',
      line.role,
      ppmPercent(line.share_ppm),
      line.uses,
      line.kind,
      line.source,
      basis(line),
    ]),
    `Lines of ${statement.party_name || statement.party}'s statement`,
  );
}

function reportView(report: StatementReport): HTMLElement {
  const lineCount = report.lines.length;
  const headline = report.ok
    ? `Verified in your browser: all ${report.distinctEvents} ledger events behind the ${lineCount} lines are in the signed ledger.`
    : `Verification failed: ${report.failures.length} problem${report.failures.length === 1 ? '' : 's'} found.`;
  const checkpoint = report.checkpoint;
  return h(
    'div',
    { class: `verify-report ${report.ok ? 'ok' : 'failed'}`, 'data-result': report.ok ? 'verified' : 'failed' },
    h('p', { class: 'verify-headline' }, h('span', { 'aria-hidden': 'true' }, report.ok ? '✓ ' : '✗ '), headline),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Ledger public key'),
      h('dd', null, h('code', { class: 'hex wrap', 'data-check': 'key' }, report.publicKey)),
      h('dt', null, 'Signed checkpoint'),
      h(
        'dd',
        null,
        checkpoint
          ? [
              `size ${checkpoint.treeSize}, signed at ${formatTime(checkpoint.time)}, root `,
              h('code', { class: 'hex wrap', 'data-check': 'root' }, checkpoint.root),
            ]
          : 'unreadable',
      ),
      report.otherCheckpoints.length
        ? [
            h('dt', null, 'Proofs against'),
            h(
              'dd',
              { 'data-check': 'other-checkpoints' },
              report.otherCheckpoints.map((other) =>
                h(
                  'p',
                  null,
                  `the checkpoint of size ${other.treeSize} signed at ${formatTime(other.time)}: `,
                  other.consistency === 'proven'
                    ? 'the ledger only grew from the run’s checkpoint to it (consistency proof checked)'
                    : other.consistency === 'same root'
                      ? 'the same tree as the run’s checkpoint, signed again'
                      : 'NOT tied to the run’s checkpoint',
                ),
              ),
            ),
          ]
        : null,
      h('dt', null, 'Checkpoint signature (Ed25519)'),
      h('dd', { 'data-check': 'signature' }, report.signatureOk ? 'valid for this key' : 'NOT valid for this key'),
      h('dt', null, 'Lines checked'),
      h('dd', { 'data-check': 'lines' }, String(lineCount)),
      h('dt', null, 'Events checked'),
      h(
        'dd',
        { 'data-check': 'events' },
        `${report.distinctEvents} distinct events, ${report.proofsChecked} inclusion proofs`,
      ),
    ),
    report.failures.length
      ? h(
          'div',
          { class: 'failures' },
          h('h4', null, 'Problems'),
          h('ul', null, report.failures.slice(0, 100).map((failure) => h('li', null, failure))),
          report.failures.length > 100 ? h('p', null, `… and ${report.failures.length - 100} more.`) : null,
        )
      : null,
    h(
      'details',
      null,
      h('summary', null, 'What was checked'),
      h(
        'ul',
        null,
        h('li', null, 'The key above is the one the server publishes at /api/ledger/public-key; every proof had to name it.'),
        h('li', null, "The run's checkpoint text was rebuilt and its Ed25519 signature checked with that key (WebCrypto)."),
        h(
          'li',
          null,
          'For every event behind every line: its leaf hash SHA-256(0x00 ‖ event bytes) was combined with its audit path ' +
            '(RFC 9162 §2.1.3.2) and had to give the signed root, at the tree size the checkpoint signs.',
        ),
        h(
          'li',
          null,
          'Where an event was proven against a later checkpoint, a consistency proof (RFC 9162 §2.1.4) had to show that the ' +
            'later tree extends the run’s, and the event had to lie within the run’s tree size.',
        ),
        h('li', null, "Each event had to be the one the line names: its recording, AI use, territory and a time in the period."),
        h('li', null, 'Each line had to have as many events as the uses it is paid for.'),
      ),
      h(
        'table',
        { class: 'compact' },
        h('thead', null, h('tr', null, ['Line', 'Kind', 'Uses', 'Events', 'Result'].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          null,
          report.lines.map((line) =>
            h(
              'tr',
              null,
              h('td', null, line.line),
              h('td', null, line.kind),
              h('td', null, line.uses),
              h('td', null, line.events),
              h('td', null, line.ok ? 'ok' : 'FAILED'),
            ),
          ),
        ),
      ),
    ),
  );
}

function exportName(period: string, party: string, format: 'csv' | 'dsr'): string {
  const safe = party.replace(/[^A-Za-z0-9._-]+/g, '_');
  return format === 'csv' ? `statement-${period}-${safe}.csv` : `statement-${period}-${safe}.dsr.tsv`;
}

function statementCard(ctx: Context, run: RoyaltyRun, summary: StatementSummary): HTMLElement {
  const { api } = ctx;
  const period = run.period;
  const base = `/api/royalties/runs/${seg(period)}/statements/${seg(summary.party)}`;
  let full: Statement | null = null;
  const loadFull = async (): Promise<Statement> => {
    full ??= await api.get<Statement>(base);
    return full;
  };

  const linesArea = h('div', { class: 'lines', hidden: true });
  const verifyArea = h('div', { class: 'verify-area', 'aria-live': 'polite' });
  const downloadArea = h('div', { 'aria-live': 'polite' });

  const linesButton = h('button', { type: 'button', 'aria-expanded': 'false' }, 'Show lines');
  linesButton.addEventListener('click', () => {
    const open = linesButton.getAttribute('aria-expanded') === 'true';
    linesButton.setAttribute('aria-expanded', String(!open));
    linesButton.textContent = open ? 'Show lines' : 'Hide lines';
    linesArea.hidden = open;
    if (!open && !linesArea.hasChildNodes()) {
      loadInto(linesArea, async () => linesTable(await loadFull()), 'loading the statement');
    }
  });

  const download = async (format: 'csv' | 'dsr', button: HTMLButtonElement) => {
    button.disabled = true;
    downloadArea.replaceChildren();
    try {
      const blob = await api.download(`${base}/export`, { format });
      saveBlob(blob, exportName(period, summary.party, format));
      downloadArea.replaceChildren(h('p', { class: 'muted' }, `Downloaded ${exportName(period, summary.party, format)}.`));
    } catch (error) {
      downloadArea.replaceChildren(errorBox(error, `download ${format.toUpperCase()}`));
    } finally {
      button.disabled = false;
    }
  };
  const csvButton: HTMLButtonElement = h('button', { type: 'button', onclick: () => void download('csv', csvButton) }, 'Download CSV');
  const dsrButton: HTMLButtonElement = h('button', { type: 'button', onclick: () => void download('dsr', dsrButton) }, 'Download DSR');

  const verifyButton: HTMLButtonElement = h('button', { type: 'button', class: 'primary' }, 'Verify');
  verifyButton.addEventListener('click', async () => {
    if (!globalThis.crypto?.subtle) {
      verifyArea.replaceChildren(
        errorBox(
          new Error('this page was not loaded over HTTPS (or from localhost), so the browser offers no WebCrypto to check signatures with'),
          'verification',
        ),
      );
      return;
    }
    verifyButton.disabled = true;
    const progress = h('p', { class: 'muted', role: 'status' }, 'Fetching the ledger key and the statement…');
    verifyArea.replaceChildren(progress);
    try {
      const [key, statement] = await Promise.all([
        api.get<{ public_key: string }>('/api/ledger/public-key'),
        loadFull(),
      ]);
      const report = await verifyStatement({
        period,
        statement,
        runCheckpoint: run.checkpoint,
        publicKey: key.public_key,
        fetchLineEvents: (line, cursor) =>
          api.get<LineEventsPage>(`${base}/lines/${seg(line)}/events`, { limit: 100, cursor }),
        fetchConsistency: (oldSize, newSize) =>
          api.get<unknown>('/api/ledger/proofs/consistency', { old: oldSize, new: newSize }),
        onProgress: ({ linesDone, lines, events }) => {
          progress.textContent = `Checking… ${linesDone} of ${lines} lines, ${events} proofs so far.`;
        },
      });
      verifyArea.replaceChildren(reportView(report));
    } catch (error) {
      verifyArea.replaceChildren(errorBox(error, 'verification'));
    } finally {
      verifyButton.disabled = false;
    }
  });

  return h(
    'article',
    { class: 'statement', 'data-party': summary.party, 'data-period': period },
    h(
      'div',
      { class: 'statement-head' },
      h('h3', null, `${summary.party_name || summary.party}`, h('span', { class: 'muted' }, ` · ${summary.party} · ${period}`)),
      h('p', { class: 'statement-total' }, totalsText(summary.totals)),
    ),
    h('div', { class: 'button-row' }, linesButton, csvButton, dsrButton, verifyButton),
    downloadArea,
    linesArea,
    verifyArea,
  );
}

function runFacts(run: RoyaltyRun): HTMLElement {
  return h(
    'p',
    { class: 'muted' },
    `Run ${run.period}`,
    run.events !== undefined ? `: ${run.events} ledger events` : '',
    run.checkpoint ? [', anchored to the checkpoint of size ', String(run.checkpoint.tree_size), ', root ', shortHex(run.checkpoint.root)] : '',
    '.',
  );
}

/** The "Statements" section. */
export function statementsSection(ctx: Context, intro: string): HTMLElement {
  const { root, body } = section('Statements', 'statements', intro);
  loadInto(
    body,
    async () => {
      const runs = (await ctx.api.all<RoyaltyRun>('/api/royalties/runs')).sort((a, b) => b.period.localeCompare(a.period));
      if (runs.length === 0) return h('p', null, 'No royalty runs yet: statements appear here once a period has been paid out.');
      const selectId = 'statements-period';
      const select = h(
        'select',
        { id: selectId },
        runs.map((run) => h('option', { value: run.period }, run.period)),
      );
      const list = h('div', { class: 'statement-list' });
      const show = () => {
        const run = runs.find((candidate) => candidate.period === select.value) ?? runs[0]!;
        loadInto(
          list,
          async () => {
            const statements = await ctx.api.all<StatementSummary>(`/api/royalties/runs/${seg(run.period)}/statements`);
            return [
              runFacts(run),
              statements.length
                ? statements.map((statement) => statementCard(ctx, run, statement))
                : h('p', null, `No statement for you in ${run.period}.`),
            ];
          },
          `loading the statements of ${run.period}`,
        );
      };
      select.addEventListener('change', show);
      show();
      return [h('div', { class: 'field inline' }, h('label', { for: selectId }, 'Period'), select), list];
    },
    'loading the royalty runs',
  );
  return root;
}
