/**
 * The factor menu of `[radius_server_challenge]` (spec §5.9 `prompt_format`): `console` (Duo's
 * prompt text), `html` (lines HTML-escaped, joined with `<br>`), `short`; any prompt over 253
 * characters falls back to `short`, and a `short` text over 253 to a fixed sentence.
 */

/** `prompt_format` values. */
export type PromptFormat = 'console' | 'html' | 'short';

const MAX = 253;

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
}

/** Python's repr of a tuple of strings: `('push1', 'phone1')`, `('push1',)`. */
function pyTuple(items: readonly string[]): string {
  const inner = items.map((i) => `'${i}'`).join(', ');
  return items.length === 1 ? `(${inner},)` : `(${inner})`;
}

/** The `short` prompt from the preauth `factors` object (numbered entries, in order). */
export function shortPrompt(factors: Readonly<Record<string, string>>): string {
  const numbered = Object.keys(factors)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => factors[k]!);
  if (numbered.length === 0) return 'Enter passcode:';
  const s = `Choose a secondary factor from ${pyTuple(numbered)} or enter passcode:`;
  return s.length > MAX ? 'Choose a secondary factor or enter passcode:' : s;
}

/** The challenge text for a preauth `auth` answer. */
export function challengePrompt(format: PromptFormat, prompt: string, factors: Readonly<Record<string, string>>): string {
  let text = prompt;
  if (format === 'html') text = prompt.split('\n').map(escapeHtml).join('<br>');
  if (format === 'short' || text.length > MAX) return shortPrompt(factors);
  return text;
}

/** Maps a menu answer (`1`, `2`…) through the preauth factors; anything else is sent as typed. */
export function factorFromAnswer(answer: string, factors: Readonly<Record<string, string>>): string {
  const t = answer.trim();
  return /^\d+$/.test(t) && factors[t] !== undefined && t !== 'default' ? factors[t]! : t;
}
