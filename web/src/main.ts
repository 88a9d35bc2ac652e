// The portal's entry point: sign-in with a pasted token (kept in sessionStorage, never in the URL),
// GET /api/me to learn the role, and a hash router over the pages. The server decides what each
// token may see; a page the role may not use shows the server's refusal.

import './styles.css';

import { Api } from './api';
import { type Context, ROLE_NAMES } from './context';
import { errorBox, h } from './dom';
import { adminPage } from './pages/admin';
import { artistPage } from './pages/artist';
import { auditorPage } from './pages/auditor';
import { rightsHolderPage } from './pages/rights_holder';
import type { Me, Role } from './types';

const TOKEN_KEY = 'accord.token';

interface Route {
  path: string;
  title: string;
  render: (ctx: Context) => HTMLElement;
}

const ROUTES: Route[] = [
  { path: 'artist', title: 'Artist', render: artistPage },
  { path: 'rights-holder', title: 'Catalog', render: rightsHolderPage },
  { path: 'admin', title: 'Admin', render: adminPage },
  { path: 'audit', title: 'Audit', render: auditorPage },
];

/** The pages each role is offered in the navigation (any page can still be opened by address). */
const ROLE_ROUTES: Record<Role, string[]> = {
  artist: ['artist'],
  rights_holder: ['rights-holder'],
  admin: ['admin', 'audit'],
  auditor: ['audit'],
  listener: [],
};

const app = document.getElementById('app')!;

function currentPath(): string {
  return location.hash.replace(/^#\/?/, '');
}

function logOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  history.replaceState(null, '', location.pathname + location.search);
  void start();
}

function skipLink(): HTMLElement {
  return h('a', { class: 'skip-link', href: '#main', onclick: (event: Event) => {
    event.preventDefault();
    document.getElementById('main')?.focus();
  } }, 'Skip to content');
}

function loginView(error?: unknown): HTMLElement {
  const tokenInput = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'token-hint',
  });
  const form = h(
    'form',
    { class: 'login card', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Sign in to accord'),
    h('p', null, 'The portal where artists and rights holders choose how AI features may use their music, see how it was used and verify what it earned.'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'token' }, 'Access token'),
      tokenInput,
      h('small', { id: 'token-hint' }, 'Paste the token the platform gave you. It stays in this browser tab only and is forgotten when you close it.'),
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    error ? errorBox(error, 'sign-in') : null,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = tokenInput.value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    void start();
  });
  queueMicrotask(() => tokenInput.focus());
  return h('main', { id: 'main', tabindex: -1, class: 'narrow' }, form);
}

function header(ctx: Context): HTMLElement {
  const routes = ROLE_ROUTES[ctx.me.role].map((path) => ROUTES.find((route) => route.path === path)!);
  const path = currentPath();
  return h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: `#/${routes[0]?.path ?? ''}` }, 'accord'),
    routes.length > 1 || (routes.length === 1 && path !== routes[0]!.path)
      ? h(
          'nav',
          { 'aria-label': 'Pages' },
          h(
            'ul',
            null,
            routes.map((route) =>
              h('li', null, h('a', { href: `#/${route.path}`, 'aria-current': route.path === path ? 'page' : false }, route.title)),
            ),
          ),
        )
      : null,
    h(
      'div',
      { class: 'who' },
      h(
        'span',
        { 'data-role': ctx.me.role },
        [ctx.me.party_name || ctx.me.party, ROLE_NAMES[ctx.me.role] ?? ctx.me.role].filter(Boolean).join(' · '),
      ),
      h('button', { type: 'button', onclick: logOut }, 'Log out'),
    ),
  );
}

function listenerPage(ctx: Context): HTMLElement {
  return h(
    'div',
    { class: 'page' },
    h('h1', null, `Hello${ctx.me.party_name ? `, ${ctx.me.party_name}` : ''}`),
    h('p', null, 'This portal is for artists, rights holders, auditors and the platform’s admins. A listener’s token has no page here.'),
  );
}

function render(ctx: Context): void {
  const defaultPath = ROLE_ROUTES[ctx.me.role][0];
  let path = currentPath();
  if (!path) {
    if (defaultPath) {
      history.replaceState(null, '', `#/${defaultPath}`);
      path = defaultPath;
    }
  }
  const route = ROUTES.find((candidate) => candidate.path === path);
  let content: HTMLElement;
  if (route) {
    content = route.render(ctx);
    document.title = `${route.title} · accord`;
  } else if (!path && ctx.me.role === 'listener') {
    content = listenerPage(ctx);
    document.title = 'accord';
  } else {
    content = h('div', { class: 'page' }, h('h1', null, 'Not found'), h('p', null, `There is no page “${path}”.`));
    document.title = 'Not found · accord';
  }
  const main = h('main', { id: 'main', tabindex: -1 }, content);
  app.replaceChildren(skipLink(), header(ctx), main);
}

let routeListener: (() => void) | null = null;

async function start(): Promise<void> {
  if (routeListener) window.removeEventListener('hashchange', routeListener);
  routeListener = null;
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    app.replaceChildren(loginView());
    return;
  }
  app.replaceChildren(h('main', { id: 'main', class: 'narrow' }, h('p', { class: 'muted' }, 'Signing in…')));
  const api = new Api(token);
  let me: Me;
  try {
    me = await api.get<Me>('/api/me');
  } catch (error) {
    sessionStorage.removeItem(TOKEN_KEY);
    app.replaceChildren(loginView(error));
    return;
  }
  const ctx: Context = { api, me };
  routeListener = () => {
    render(ctx);
    document.getElementById('main')?.focus({ preventScroll: true });
  };
  window.addEventListener('hashchange', routeListener);
  render(ctx);
}

void start();
