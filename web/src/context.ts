// What every page is given, and the words the portal uses for scopes and roles.

import type { Api } from './api';
import type { Me, Role } from './types';

export interface Context {
  api: Api;
  me: Me;
}

/** Short names for the AI uses (scopes); the server's descriptions say what each allows. */
export const SCOPE_NAMES: Record<string, string> = {
  recommend: 'AI recommendations and playlists',
  dj: 'Plays in an AI DJ session',
  dj_voice: 'The AI DJ talks about you',
  remix: 'Fan remixes',
  mashup: 'Mashups',
  training: 'Training AI models',
  voice_model: 'Synthesizing your voice',
  generation: 'New music generated from yours',
};

export const SCOPES = Object.keys(SCOPE_NAMES);

export function scopeName(scope: string): string {
  return SCOPE_NAMES[scope] ?? scope;
}

export const ROLE_NAMES: Record<Role, string> = {
  artist: 'Artist',
  rights_holder: 'Rights holder',
  admin: 'Platform admin',
  auditor: 'Auditor',
  listener: 'Listener',
};

export const ROLES = Object.keys(ROLE_NAMES) as Role[];

/** Money as the server writes it ("12.345678") with its currency. */
export function money(amount: string, currency: string): string {
  return `${amount} ${currency}`;
}

/** Parts per million as a percentage ("300000" → "30%"). */
export function ppmPercent(ppm: number): string {
  return `${+(ppm / 10_000).toFixed(4)}%`;
}
