// A few helpers to build DOM from TypeScript. Text always goes in as text nodes, never as HTML, so
// nothing the server sends can inject markup.

import { ApiError } from './api';

export type Child = Node | string | number | null | undefined | false | Child[];
type AttrValue = string | number | boolean | null | undefined | ((event: Event) => void);
export type Attrs = Record<string, AttrValue>;

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

function setAttrs(element: Element, attrs: Attrs | null): void {
  if (!attrs) return;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.replace(/^on/, ''), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
}

/** An HTML element: attributes (a function for "onclick" etc. is a listener), then children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttrs(element, attrs);
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element. */
export function s(tag: string, attrs: Attrs | null = null, ...children: Child[]): SVGElement {
  const element = document.createElementNS(SVG_NS, tag) as SVGElement;
  setAttrs(element, attrs);
  append(element, children);
  return element;
}

export function clear(element: Element): void {
  element.replaceChildren();
}

let nextId = 0;
/** A unique id for label/aria wiring. */
export function uid(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/**
 * The box shown whenever the server (or the network) refuses something: what was refused, the
 * server's words, its error code and the request id to quote to the platform's support.
 */
export function errorBox(error: unknown, what?: string): HTMLElement {
  const failed = what ? `${capitalize(what)} failed` : 'Something went wrong';
  if (error instanceof ApiError) {
    const refused = error.status === 401 || error.status === 403;
    const title = refused ? `Refused${what ? `: ${what}` : ''}` : failed;
    const advice =
      error.status === 401
        ? 'The server no longer accepts your token. Log out and sign in again with a valid one.'
        : error.status === 403
          ? 'Your sign-in may not do this. If you think it should, give the request id below to the platform.'
          : null;
    return h(
      'div',
      { class: 'error', role: 'alert', 'data-code': error.code, 'data-status': error.status },
      h('p', { class: 'error-title' }, title),
      h('p', { class: 'error-message' }, error.message),
      advice ? h('p', { class: 'error-advice' }, advice) : null,
      h(
        'dl',
        { class: 'error-details' },
        error.status ? [h('dt', null, 'Status'), h('dd', null, String(error.status))] : null,
        h('dt', null, 'Code'),
        h('dd', null, h('code', null, error.code)),
        error.field ? [h('dt', null, 'Field'), h('dd', null, h('code', null, error.field))] : null,
        error.requestId
          ? [h('dt', null, 'Request id'), h('dd', null, h('code', { class: 'request-id' }, error.requestId))]
          : null,
      ),
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('p', { class: 'error-title' }, failed),
    h('p', { class: 'error-message' }, message),
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Fills `target` with what `load` builds, showing "Loading…" meanwhile and the error box when it
 * fails. Returns a function that loads again.
 */
export function loadInto(target: HTMLElement, load: () => Promise<Child>, what?: string): () => Promise<void> {
  const run = async () => {
    target.setAttribute('aria-busy', 'true');
    target.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    try {
      const content = await load();
      target.replaceChildren();
      append(target, [content]);
    } catch (error) {
      target.replaceChildren(errorBox(error, what));
    } finally {
      target.removeAttribute('aria-busy');
    }
  };
  void run();
  return run;
}

/** A page section with a heading; `body` is where its content goes. */
export function section(title: string, id: string, intro?: string): { root: HTMLElement; body: HTMLElement } {
  const headingId = `${id}-title`;
  const body = h('div', { class: 'section-body' });
  const root = h(
    'section',
    { id, 'aria-labelledby': headingId, class: 'card' },
    h('h2', { id: headingId }, title),
    intro ? h('p', { class: 'intro' }, intro) : null,
    body,
  );
  return { root, body };
}

/** A table in a horizontally scrollable wrapper, so narrow screens scroll it instead of the page. */
export function table(headers: string[], rows: Child[][], caption?: string): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption ?? headers.join(', ') },
    h(
      'table',
      null,
      caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
      h('thead', null, h('tr', null, headers.map((header) => h('th', { scope: 'col' }, header)))),
      h('tbody', null, rows.map((row) => h('tr', null, row.map((cell) => h('td', null, cell))))),
    ),
  );
}

/** "2026-07-01T20:00:00Z" → "2026-07-01 20:00 UTC" (seconds kept when not zero). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?(\.\d+)?Z$/.exec(iso);
  if (!match) return iso;
  const seconds = match[3] && match[3] !== ':00' ? match[3] : '';
  return `${match[1]} ${match[2]}${seconds} UTC`;
}

/** "2026-01-01T00:00:00Z" → "2026-01-01"; other times as formatTime. */
export function formatDate(iso: string | null | undefined): string {
  if (iso && /^\d{4}-\d{2}-\d{2}T00:00:00(\.000)?Z$/.test(iso)) return iso.slice(0, 10);
  return formatTime(iso);
}

/** Saves a Blob as a file through a temporary link. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Shortens a long hex string for display, keeping the full value in a title. */
export function shortHex(hex: string, keep = 12): HTMLElement {
  const short = hex.length > 2 * keep ? `${hex.slice(0, keep)}…${hex.slice(-keep)}` : hex;
  return h('code', { title: hex, class: 'hex' }, short);
}
