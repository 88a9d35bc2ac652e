// The auditor's page: the ledger's public key and signed checkpoints, and every statement of every
// run, each verifiable in the browser.

import type { Context } from '../context';
import { formatTime, h, loadInto, section, table } from '../dom';
import type { CheckpointJson } from '../types';
import { parseCheckpoint, verifyCheckpointSignature } from '../verify/checkpoint';
import { statementsSection } from './statements';

function ledgerSection(ctx: Context): HTMLElement {
  const { root, body } = section(
    'Ledger checkpoints',
    'ledger',
    'The signed heads of the usage ledger. Each signature is checked here, in the browser, with the published key.',
  );
  loadInto(
    body,
    async () => {
      const [{ public_key: key }, checkpoints] = await Promise.all([
        ctx.api.get<{ public_key: string }>('/api/ledger/public-key'),
        ctx.api.all<CheckpointJson>('/api/ledger/checkpoints'),
      ]);
      const rows = await Promise.all(
        checkpoints.map(async (json) => {
          let signature: string;
          try {
            const checkpoint = parseCheckpoint({
                format: json.format ?? 'accord-ledger-checkpoint/v1',
                tree_size: json.tree_size,
                root: json.root,
                time: json.time,
                signature: json.signature,
              });
            signature = (await verifyCheckpointSignature(checkpoint, key)) ? 'valid' : 'NOT VALID';
          } catch (error) {
            signature = `unreadable: ${(error as Error).message}`;
          }
          return [String(json.tree_size), formatTime(json.time), h('code', { class: 'hex wrap' }, json.root), signature];
        }),
      );
      return [
        h('p', null, 'Public key: ', h('code', { class: 'hex wrap' }, key)),
        checkpoints.length ? table(['Events', 'Signed at', 'Root', 'Signature'], rows, 'Signed checkpoints') : h('p', null, 'No checkpoint signed yet.'),
      ];
    },
    'loading the ledger',
  );
  return root;
}

export function auditorPage(ctx: Context): HTMLElement {
  return h(
    'div',
    { class: 'page', 'data-page': 'auditor' },
    h('h1', null, 'Audit'),
    h('p', { class: 'lead' }, 'Check each period’s statements against the signed ledger.'),
    ledgerSection(ctx),
    statementsSection(ctx, 'Every statement of every run. “Verify” checks each event behind each line against the run’s signed checkpoint.'),
  );
}
