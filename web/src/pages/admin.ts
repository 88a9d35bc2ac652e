// The platform admin's page: parties, agreements, access tokens (create, shown once; revoke) and
// royalty runs (list, start one).

import { type Api, seg } from '../api';
import { type Context, ROLE_NAMES, ROLES, money } from '../context';
import { errorBox, formatTime, h, loadInto, section, shortHex, table, uid } from '../dom';
import type { Agreement, NewToken, Party, RoyaltyRun, TokenInfo } from '../types';
import { agreementsTable } from './rights_holder';

const PARTY_KINDS = ['artist', 'label', 'distributor', 'publisher', 'writer'];

function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || uid('field');
  control.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('small', { id: hintId }, hint) : null);
}

function partiesSection(api: Api): HTMLElement {
  const { root, body } = section('Parties', 'parties', 'Artists, labels, distributors, publishers and writers known to the registry.');
  const list = h('div');
  const reload = loadInto(
    list,
    async () => {
      const parties = await api.all<Party>('/api/parties');
      return table(
        ['Id', 'Kind', 'Name', 'Acts for'],
        parties.map((party) => [h('code', null, party.id), party.kind, party.name, (party.acts_for ?? []).join(', ') || '—']),
        'Parties',
      );
    },
    'loading parties',
  );

  const id = h('input', { required: true, autocomplete: 'off', placeholder: 'artist:new-name' });
  const kind = h('select', null, PARTY_KINDS.map((k) => h('option', { value: k }, k)));
  const name = h('input', { required: true, autocomplete: 'off' });
  const actsFor = h('input', { autocomplete: 'off' });
  const result = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'form-grid' },
    field('Party id', id, 'kind:name, e.g. artist:ada-lind'),
    field('Kind', kind),
    field('Name', name),
    field('Acts for', actsFor, 'Party ids it signs for, separated by commas (optional)'),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add party')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const party: Party = {
      id: id.value.trim(),
      kind: kind.value,
      name: name.value.trim(),
      acts_for: actsFor.value.split(',').map((value) => value.trim()).filter(Boolean),
    };
    try {
      await api.post<Party>('/api/parties', party);
      result.replaceChildren(h('p', { class: 'ok-text' }, `Added ${party.id}.`));
      form.reset();
      await reload();
    } catch (error) {
      result.replaceChildren(errorBox(error, `adding ${party.id}`));
    }
  });
  body.append(list, h('h3', { class: 'subhead' }, 'Add a party'), form, result);
  return root;
}

function tokenStatus(token: TokenInfo): string {
  return token.revoked ? `revoked ${formatTime(token.revoked)}` : 'active';
}

function tokensSection(api: Api): HTMLElement {
  const { root, body } = section(
    'Access tokens',
    'tokens',
    'Each person or system signs in with a token tied to a role and a party. A new token’s secret is shown once; revoking one stops it at once.',
  );
  const list = h('div');
  const status = h('div', { 'aria-live': 'polite' });
  let reload: () => Promise<void> = async () => {};

  const revokeControls = (token: TokenInfo): HTMLElement => {
    const cell = h('div', { class: 'button-row' });
    const ask = h('button', { type: 'button', class: 'danger', 'data-token': token.id }, 'Revoke');
    const showAsk = () => cell.replaceChildren(ask);
    ask.addEventListener('click', () => {
      const confirm = h('button', { type: 'button', class: 'danger' }, `Confirm: revoke ${token.id}`);
      const cancel = h('button', { type: 'button' }, 'Cancel');
      cancel.addEventListener('click', () => {
        showAsk();
        ask.focus();
      });
      confirm.addEventListener('click', async () => {
        confirm.disabled = true;
        try {
          await api.delete(`/api/tokens/${seg(token.id)}`);
          status.replaceChildren(h('p', { class: 'ok-text' }, `Revoked ${token.id}.`));
          await reload();
        } catch (error) {
          status.replaceChildren(errorBox(error, `revoking ${token.id}`));
          confirm.disabled = false;
        }
      });
      cell.replaceChildren(confirm, cancel);
      confirm.focus();
    });
    showAsk();
    return cell;
  };

  reload = loadInto(
    list,
    async () => {
      const tokens = await api.all<TokenInfo>('/api/tokens');
      if (tokens.length === 0) return h('p', null, 'No tokens yet.');
      return table(
        ['Token id', 'Role', 'Party', 'Created', 'Status', ''],
        tokens.map((token) => [
          h('code', null, token.id),
          ROLE_NAMES[token.role] ?? token.role,
          token.party || '—',
          formatTime(token.created),
          tokenStatus(token),
          token.revoked ? '' : revokeControls(token),
        ]),
        'Access tokens',
      );
    },
    'loading tokens',
  );

  const role = h('select', null, ROLES.map((r) => h('option', { value: r }, ROLE_NAMES[r])));
  const party = h('input', { autocomplete: 'off', placeholder: 'artist:kofi-mensah' });
  const secret = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'form-grid' },
    field('Role', role),
    field('Party', party, 'The party the token acts as (empty for an admin or auditor)'),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create token')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const created = await api.post<NewToken>('/api/tokens', { role: role.value, party: party.value.trim() });
      const secretId = uid('secret');
      const copy = h('button', { type: 'button' }, 'Copy');
      const input = h('input', { id: secretId, readonly: true, value: created.token, class: 'secret', spellcheck: 'false' });
      copy.addEventListener('click', async () => {
        input.select();
        try {
          await navigator.clipboard.writeText(created.token);
          copy.textContent = 'Copied';
        } catch {
          copy.textContent = 'Select and copy it by hand';
        }
      });
      secret.replaceChildren(
        h(
          'div',
          { class: 'secret-box', role: 'alert' },
          h('p', null, h('strong', null, `Token ${created.id} created. Copy its secret now: it is shown only this once.`)),
          h('label', { for: secretId }, `Secret for ${ROLE_NAMES[created.role] ?? created.role}${created.party ? ` ${created.party}` : ''}`),
          h('div', { class: 'button-row' }, input, copy),
        ),
      );
      form.reset();
      await reload();
    } catch (error) {
      secret.replaceChildren(errorBox(error, 'creating a token'));
    }
  });
  body.append(list, status, h('h3', { class: 'subhead' }, 'Create a token'), form, secret);
  return root;
}

function runTotals(totals: RoyaltyRun['totals']): string {
  const entries = Object.entries(totals ?? {});
  return entries.length ? entries.map(([currency, total]) => money(total.paid ?? '?', currency)).join(', ') : '—';
}

function runsSection(api: Api): HTMLElement {
  const { root, body } = section(
    'Royalty runs',
    'runs',
    'Each run pays one calendar month from the ledger events up to the latest signed checkpoint, through the revenue pools given and the agreements’ fees and guarantees.',
  );
  const list = h('div');
  const reload = loadInto(
    list,
    async () => {
      const runs = (await api.all<RoyaltyRun>('/api/royalties/runs')).sort((a, b) => b.period.localeCompare(a.period));
      if (runs.length === 0) return h('p', null, 'No runs yet.');
      return table(
        ['Period', 'Events', 'Statements', 'Checkpoint', 'Paid'],
        runs.map((run) => [
          run.period,
          run.events ?? '—',
          run.statements ?? '—',
          run.checkpoint ? [`size ${run.checkpoint.tree_size}, root `, shortHex(run.checkpoint.root)] : '—',
          runTotals(run.totals),
        ]),
        'Royalty runs',
      );
    },
    'loading royalty runs',
  );

  const period = h('input', { required: true, pattern: '\\d{4}-(0[1-9]|1[0-2])', placeholder: '2026-07', class: 'short', autocomplete: 'off' });
  const pools = h('textarea', {
    required: true,
    rows: 10,
    spellcheck: 'false',
    class: 'code',
    placeholder: '{"pools": [{"id": "eu-ai-features", "amount": "1234.56", "currency": "EUR", "territory": "worldwide -US -CA", "scopes": ["recommend", "dj"], "model": "pro_rata"}], "composition_share_ppm": 150000}',
  });
  const replace = h('input', { type: 'checkbox', id: uid('replace') });
  const result = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'form-stack' },
    field('Period', period, 'A calendar month, YYYY-MM'),
    field('Revenue pools (JSON)', pools, 'The pools file of docs/formats/royalty_pools.md'),
    h('div', { class: 'field checkbox' }, replace, h('label', { for: replace.id }, 'Replace a stored run of this period')),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'primary' }, 'Start the run')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(pools.value);
    } catch (error) {
      result.replaceChildren(errorBox(new Error(`The pools are not valid JSON: ${(error as Error).message}`), 'starting the run'));
      pools.focus();
      return;
    }
    try {
      const run = await api.post<RoyaltyRun>('/api/royalties/runs', { period: period.value, pools: parsed, replace: replace.checked });
      result.replaceChildren(h('p', { class: 'ok-text' }, `Run ${run.period ?? period.value} stored.`));
      await reload();
    } catch (error) {
      result.replaceChildren(errorBox(error, `running ${period.value}`));
    }
  });
  body.append(list, h('h3', { class: 'subhead' }, 'Start a run'), form, result);
  return root;
}

export function adminPage(ctx: Context): HTMLElement {
  const page = h('div', { class: 'page', 'data-page': 'admin' }, h('h1', null, 'Platform administration'));
  const content = h('div');
  page.append(content);
  // One probe first, so that someone without admin rights sees one clear refusal rather than one
  // per section.
  loadInto(
    content,
    async () => {
      await ctx.api.page<TokenInfo>('/api/tokens', { limit: 1 });
      const agreements = section('Agreements', 'agreements', 'Every license on file.');
      loadInto(agreements.body, async () => agreementsTable(await ctx.api.all<Agreement>('/api/agreements')), 'loading agreements');
      return [partiesSection(ctx.api), agreements.root, tokensSection(ctx.api), runsSection(ctx.api)];
    },
    'the admin page',
  );
  return page;
}
