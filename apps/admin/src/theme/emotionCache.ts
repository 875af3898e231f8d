/**
 * The CSP for /admin allows <style> elements only with the per-request nonce the server writes into
 * `<meta property="csp-nonce" content="…">`; emotion (MUI's styling engine) must stamp it on every
 * style tag it injects, or the browser drops the styles.
 */
import createCache, { type EmotionCache } from '@emotion/cache';

export function cspNonce(doc: Document = document): string | undefined {
  const nonce = doc.querySelector('meta[property="csp-nonce"]')?.getAttribute('content');
  return nonce ? nonce : undefined;
}

export function createEmotionCache(doc: Document = document): EmotionCache {
  const nonce = cspNonce(doc);
  return createCache({ key: 'dfy', prepend: true, ...(nonce ? { nonce } : {}) });
}
