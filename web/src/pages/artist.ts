// The artist's page: a switch per AI use (consent), the history of changes, "check a use", usage
// over time per AI feature, and statements with in-browser verification.

import { seg } from '../api';
import { daysBetween, lineChart } from '../charts';
import { type Context, SCOPES, scopeName } from '../context';
import { errorBox, formatTime, h, loadInto, section, table, uid } from '../dom';
import type { Agreement, Choice, Consents, Decision, Recording, ScopeConsent, UsageEvent, UsageStats } from '../types';
import { agreementsTable } from './rights_holder';
import { statementsSection } from './statements';

/** Fired on `document` after the artist changed a consent, so open answers can be re-checked. */
const CONSENTS_CHANGED = 'accord:consents-changed';

function choiceWords(scope: ScopeConsent): string {
  const allowed = scope.choice === 'opt_in';
  if (scope.source === 'default') {
    return allowed
      ? 'Allowed: the platform default for this use is opt-out (allowed unless you say no). You have not chosen.'
      : 'Not allowed: the platform default for this use is opt-in (nothing without your yes). You have not chosen.';
  }
  const since = scope.effective ? ` since ${formatTime(scope.effective)}` : '';
  return allowed ? `Allowed: you opted in${since}.` : `Not allowed: you opted out${since}.`;
}

function consentsSection(ctx: Context, party: string): HTMLElement {
  const { root, body } = section(
    'Your AI-use choices',
    'consents',
    'Each switch says whether the platform may use your music for one kind of AI use. A change applies from now on; ' +
      'past uses keep the choice that applied when they happened.',
  );
  const status = h('div', { class: 'status-line', role: 'status', 'aria-live': 'polite' });
  const content = h('div');
  const path = `/api/parties/${seg(party)}/consents`;

  const flip = async (scope: ScopeConsent, button: HTMLButtonElement) => {
    const choice: Choice = scope.choice === 'opt_in' ? 'opt_out' : 'opt_in';
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    status.replaceChildren(`Saving: ${scopeName(scope.scope)}…`);
    let record: { id?: string };
    try {
      record = await ctx.api.post<{ id?: string }>(path, { scope: scope.scope, choice });
    } catch (error) {
      status.replaceChildren(errorBox(error, `changing “${scopeName(scope.scope)}”`));
      button.disabled = false;
      button.removeAttribute('aria-busy');
      return;
    }
    status.replaceChildren(
      `Saved: ${scopeName(scope.scope)} is now ${choice === 'opt_in' ? 'allowed (you opted in)' : 'not allowed (you opted out)'}` +
        (record.id ? `, consent ${record.id}.` : '.'),
    );
    document.dispatchEvent(new CustomEvent(CONSENTS_CHANGED));
    try {
      await load();
    } catch (error) {
      status.append(errorBox(error, 'reloading your choices'));
      return;
    }
    content.querySelector<HTMLButtonElement>(`button[data-scope="${CSS.escape(scope.scope)}"]`)?.focus();
  };

  const render = (consents: Consents): HTMLElement[] => {
    const rows = consents.scopes.map((scope) => {
      const nameId = uid('scope-name');
      const descId = uid('scope-desc');
      const stateId = uid('scope-state');
      const on = scope.choice === 'opt_in';
      const button: HTMLButtonElement = h(
        'button',
        {
          type: 'button',
          role: 'switch',
          class: 'switch',
          'aria-checked': String(on),
          'aria-labelledby': nameId,
          'aria-describedby': `${descId} ${stateId}`,
          'data-scope': scope.scope,
        },
        h('span', { class: 'switch-track', 'aria-hidden': 'true' }, h('span', { class: 'switch-thumb' })),
        h('span', { class: 'switch-label', 'aria-hidden': 'true' }, on ? 'Allowed' : 'Not allowed'),
      );
      button.addEventListener('click', () => void flip(scope, button));
      return h(
        'li',
        { class: `scope-row ${on ? 'on' : 'off'}`, 'data-scope': scope.scope, 'data-source': scope.source },
        h(
          'div',
          { class: 'scope-text' },
          h('h3', { id: nameId }, scopeName(scope.scope), ' ', h('code', { class: 'scope-code' }, scope.scope)),
          h('p', { id: descId }, scope.description),
          h(
            'p',
            { id: stateId, class: 'scope-state' },
            choiceWords(scope),
            scope.source === 'default' ? h('span', { class: 'badge' }, 'platform default') : h('span', { class: 'badge mine' }, 'your choice'),
          ),
        ),
        button,
      );
    });
    const history = consents.history.length
      ? table(
          ['Effective', 'AI use', 'Choice', 'Recorded by', 'How', 'Record'],
          consents.history.map((record) => [
            formatTime(record.effective),
            scopeName(record.scope),
            record.choice === 'opt_in' ? 'opted in' : 'opted out',
            record.recorded_by,
            record.method,
            h('code', null, record.id),
          ]),
          'Newest first',
        )
      : h('p', null, 'No choices recorded yet: every use follows the platform default.');
    return [
      h('ul', { class: 'scope-list' }, rows),
      h('h3', { class: 'subhead' }, 'History of your choices'),
      h('div', { id: 'consent-history' }, history),
    ];
  };

  const load = async () => {
    const consents = await ctx.api.get<Consents>(path);
    content.replaceChildren(...render(consents));
  };
  loadInto(content, async () => {
    const consents = await ctx.api.get<Consents>(path);
    return render(consents);
  }, 'loading your choices');
  body.append(status, content);
  return root;
}

/** "2026-07-01T12:00" (datetime-local, read as UTC) → "2026-07-01T12:00:00Z"; "" → undefined (now). */
export function utcFromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  return /T\d{2}:\d{2}$/.test(value) ? `${value}:00Z` : `${value}Z`;
}

function decisionView(decision: Decision, recordings: Recording[], recheck: boolean): HTMLElement {
  const recording = recordings.find((candidate) => candidate.isrc === decision.recording);
  const what = `${scopeName(decision.scope)} of ${recording ? `“${recording.title}” ` : ''}(${decision.recording}) in ${decision.territory} at ${formatTime(decision.at)}`;
  return h(
    'div',
    { class: `decision ${decision.allowed ? 'allowed' : 'denied'}`, 'data-allowed': String(decision.allowed) },
    h('p', { class: 'decision-verdict' }, decision.allowed ? 'Allowed' : 'Not allowed'),
    h('p', null, what, recheck ? h('span', { class: 'muted' }, ' (checked again after your change)') : null),
    decision.reasons.length
      ? h(
          'ul',
          { class: 'reasons' },
          decision.reasons.map((reason) =>
            h('li', { 'data-rule': reason.rule }, reason.message, ' ', h('code', { class: 'muted' }, reason.rule)),
          ),
        )
      : null,
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Agreements used'),
      h('dd', null, decision.agreements.length ? decision.agreements.join(', ') : 'none'),
      h('dt', null, 'Consents used'),
      h('dd', null, decision.consents.length ? decision.consents.join(', ') : 'none'),
    ),
  );
}

function checkSection(ctx: Context): HTMLElement {
  const { root, body } = section(
    'Check a use',
    'check',
    'Ask the platform whether an AI use of one of your recordings would be allowed, and why.',
  );
  loadInto(
    body,
    async () => {
      const recordings = await ctx.api.all<Recording>('/api/recordings');
      if (recordings.length === 0) return h('p', null, 'No recordings of yours are in the catalog yet.');
      const ids = { recording: uid('check-recording'), scope: uid('check-scope'), territory: uid('check-territory'), at: uid('check-at') };
      const recordingSelect = h(
        'select',
        { id: ids.recording, name: 'recording' },
        recordings.map((recording) => h('option', { value: recording.isrc }, `${recording.title} (${recording.isrc})`)),
      );
      const scopeSelect = h('select', { id: ids.scope, name: 'scope' }, SCOPES.map((scope) => h('option', { value: scope }, `${scopeName(scope)} (${scope})`)));
      const territory = h('input', {
        id: ids.territory,
        name: 'territory',
        value: 'DE',
        required: true,
        maxlength: 2,
        minlength: 2,
        pattern: '[A-Za-z]{2}',
        autocomplete: 'off',
        class: 'short',
        'aria-describedby': `${ids.territory}-hint`,
      });
      const at = h('input', { id: ids.at, name: 'at', type: 'datetime-local', step: 1, 'aria-describedby': `${ids.at}-hint` });
      const result = h('div', { class: 'check-result', 'aria-live': 'polite' });
      let last: { scope: string; recording: string; territory: string; at?: string } | null = null;

      const run = async (recheck: boolean) => {
        if (!last) return;
        try {
          const decision = await ctx.api.post<Decision>('/api/decisions', last);
          result.replaceChildren(decisionView(decision, recordings, recheck));
        } catch (error) {
          result.replaceChildren(errorBox(error, 'the check'));
        }
      };
      const form = h(
        'form',
        { class: 'form-grid', novalidate: false },
        h('div', { class: 'field' }, h('label', { for: ids.recording }, 'Recording'), recordingSelect),
        h('div', { class: 'field' }, h('label', { for: ids.scope }, 'AI use'), scopeSelect),
        h(
          'div',
          { class: 'field' },
          h('label', { for: ids.territory }, 'Territory'),
          territory,
          h('small', { id: `${ids.territory}-hint` }, 'Two-letter country code, e.g. DE'),
        ),
        h(
          'div',
          { class: 'field' },
          h('label', { for: ids.at }, 'When (UTC)'),
          at,
          h('small', { id: `${ids.at}-hint` }, 'Leave empty for now'),
        ),
        h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'primary' }, 'Check')),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        if (!form.reportValidity()) return;
        last = {
          scope: scopeSelect.value,
          recording: recordingSelect.value,
          territory: territory.value.toUpperCase(),
          at: utcFromLocalInput(at.value),
        };
        if (last.at === undefined) delete last.at;
        void run(false);
      });
      // A choice changed above: an answer "as of now" may have changed with it.
      const onChange = () => {
        if (!result.isConnected) {
          document.removeEventListener(CONSENTS_CHANGED, onChange); // the page was left
          return;
        }
        if (last && last.at === undefined) void run(true);
      };
      document.addEventListener(CONSENTS_CHANGED, onChange);
      return [form, result];
    },
    'loading your recordings',
  );
  return root;
}

function usageSection(ctx: Context, party: string): HTMLElement {
  const { root, body } = section('Where your music was used', 'usage', 'AI uses of your recordings recorded in the ledger, per day and AI feature.');
  const fromId = uid('usage-from');
  const toId = uid('usage-to');
  const from = h('input', { id: fromId, type: 'date' });
  const to = h('input', { id: toId, type: 'date' });
  const chartArea = h('div', { class: 'chart-area' });
  const eventsArea = h('div');
  const form = h(
    'form',
    { class: 'form-grid' },
    h('div', { class: 'field' }, h('label', { for: fromId }, 'From'), from),
    h('div', { class: 'field' }, h('label', { for: toId }, 'To'), to),
    h('div', { class: 'field actions' }, h('button', { type: 'submit' }, 'Show')),
  );

  const show = () => {
    const range = { party, from: from.value || undefined, to: to.value || undefined };
    loadInto(
      chartArea,
      async () => {
        const stats = await ctx.api.get<UsageStats>('/api/usage/stats', range);
        if (stats.days.length === 0) return h('p', null, 'No AI uses of your music in this range.');
        const sortedDays = [...new Set(stats.days.map((day) => day.day))].sort();
        const labels = daysBetween(sortedDays[0]!, sortedDays[sortedDays.length - 1]!);
        const features = [...new Set(stats.days.map((day) => day.feature))].sort();
        const series = features.map((feature) => ({
          name: feature,
          values: labels.map((label) =>
            stats.days.filter((day) => day.day === label && day.feature === feature).reduce((sum, day) => sum + day.uses, 0),
          ),
        }));
        return lineChart('AI uses of your music per day, by feature', labels, series, 'Uses');
      },
      'loading usage',
    );
    eventsArea.replaceChildren();
    const rows = h('tbody');
    const more = h('button', { type: 'button' }, 'Show more uses');
    const listStatus = h('div');
    let cursor: string | null = null;
    const page = async () => {
      more.disabled = true;
      try {
        const result = await ctx.api.page<UsageEvent>('/api/usage', { ...range, limit: 20, cursor });
        for (const event of result.items) {
          rows.append(
            h(
              'tr',
              null,
              h('td', null, formatTime(event.time)),
              h('td', null, event.feature),
              h('td', null, scopeName(event.scope)),
              h('td', null, event.territory),
              h('td', null, event.recordings.map((recording) => recording.isrc).join(', ')),
              h('td', null, event.duration_ms ? `${Math.round(event.duration_ms / 1000)} s` : '—'),
            ),
          );
        }
        cursor = result.next_cursor;
        more.hidden = !cursor;
        if (!rows.hasChildNodes()) listStatus.replaceChildren(h('p', null, 'No uses recorded in this range.'));
      } catch (error) {
        listStatus.replaceChildren(errorBox(error, 'loading uses'));
      } finally {
        more.disabled = false;
      }
    };
    more.addEventListener('click', () => void page());
    eventsArea.append(
      h('h3', { class: 'subhead' }, 'Recent uses'),
      h(
        'div',
        { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Recent uses' },
        h(
          'table',
          null,
          h('thead', null, h('tr', null, ['Time', 'Feature', 'AI use', 'Territory', 'Recordings', 'Duration'].map((t) => h('th', { scope: 'col' }, t)))),
          rows,
        ),
      ),
      listStatus,
      more,
    );
    void page();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    show();
  });
  body.append(form, chartArea, eventsArea);
  show();
  return root;
}

function licensesSection(ctx: Context): HTMLElement {
  const { root, body } = section(
    'Licenses of your music',
    'licenses',
    'The agreements under which the platform may use your recordings: who signed them (you, your label or your distributor), for which AI uses, where and when. The consent switches above decide on top of them.',
  );
  loadInto(body, async () => agreementsTable(await ctx.api.all<Agreement>('/api/agreements')), 'loading agreements');
  return root;
}

export function artistPage(ctx: Context): HTMLElement {
  const party = ctx.me.party;
  if (!party) {
    return h('div', null, h('h1', null, 'Artist'), h('p', null, 'This page shows an artist’s own choices; your sign-in is not tied to an artist.'));
  }
  return h(
    'div',
    { class: 'page', 'data-page': 'artist' },
    h('h1', null, ctx.me.party_name || party),
    h('p', { class: 'lead' }, 'Decide how AI features may use your music, see where it was used and what it earned, and check the numbers yourself.'),
    consentsSection(ctx, party),
    checkSection(ctx),
    usageSection(ctx, party),
    licensesSection(ctx),
    statementsSection(
      ctx,
      'What your music earned, line by line. “Verify” checks in this browser, with the ledger’s public key, that every use behind every line is in the signed, tamper-evident ledger.',
    ),
  );
}

