/**
 * Access-token signing keys (EdDSA / Ed25519) and verification.
 *
 * Production: the private key comes from `JWT_PRIVATE_KEY` (PKCS#8 PEM or a private JWK), and
 * `JWT_PREVIOUS_PUBLIC_KEYS` (a JSON array of public JWKs, or PEMs separated by blank lines) keeps
 * tokens signed by a retired key valid until they expire. Development: a key is generated once and
 * kept in `DATA_DIR/keys/`. Rotation: move the current public key to the previous list, set the new
 * private key, restart; `/.well-known/jwks.json` then serves both.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  importPKCS8,
  importSPKI,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { Config } from '../../config/index.js';
import type { AccessClaims, Audience, VerifiedAccess } from '../../lib/principal.js';

// The audiences and claim shapes are shared with the auth plugin and the tests (lib/principal.ts).
export { type AccessClaims, AUDIENCES, type Audience, type VerifiedAccess } from '../../lib/principal.js';

export const ALGORITHM = 'EdDSA';
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** Seconds of clock skew tolerated on exp/nbf/iat (jose counts seconds; security.md JW-5). */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** The longest access-token lifetime; `ACCESS_TOKEN_TTL_SECONDS` may only shorten it (tests, browser suite). */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

interface PublicKeyEntry {
  kid: string;
  key: CryptoKey;
  jwk: JWK;
}

async function publicEntry(jwk: JWK): Promise<PublicKeyEntry> {
  const { d: _private, ...pub } = jwk;
  const kid = pub.kid ?? (await calculateJwkThumbprint(pub));
  const key = (await importJWK({ ...pub, alg: ALGORITHM }, ALGORITHM)) as CryptoKey;
  return { kid, key, jwk: { ...pub, kid, alg: ALGORITHM, use: 'sig' } };
}

async function parsePrivate(text: string): Promise<JWK> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return JSON.parse(trimmed) as JWK;
  const key = await importPKCS8(trimmed.replace(/\\n/g, '\n'), ALGORITHM, { extractable: true });
  return exportJWK(key);
}

async function parsePublicList(text: string): Promise<JWK[]> {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as JWK[];
  const pems = trimmed
    .replace(/\\n/g, '\n')
    .split(/\n\s*\n/)
    .filter(Boolean);
  return Promise.all(pems.map(async (pem) => exportJWK(await importSPKI(pem, ALGORITHM, { extractable: true }))));
}

/** Verified tokens kept by their exact text (bounded): a client reuses its token for minutes. */
const VERIFIED_CACHE_MAX = 10_000;

export class KeyStore {
  private readonly byKid: Map<string, PublicKeyEntry>;
  private readonly verified = new Map<string, VerifiedAccess & { notBefore: number }>();

  private constructor(
    private readonly issuer: string,
    private readonly signingKey: CryptoKey,
    private readonly current: PublicKeyEntry,
    previous: PublicKeyEntry[],
    /** Lifetime of the access tokens this store signs (≤ ACCESS_TOKEN_TTL_SECONDS). */
    readonly accessTtlSeconds: number,
  ) {
    this.byKid = new Map([current, ...previous].map((e) => [e.kid, e]));
  }

  static async fromJwks(
    issuer: string,
    privateJwk: JWK,
    previous: JWK[] = [],
    accessTtlSeconds = ACCESS_TOKEN_TTL_SECONDS,
  ): Promise<KeyStore> {
    // A public key here would load fine and only fail at the first sign-in: refuse it at startup.
    if (privateJwk.kty !== 'OKP' || privateJwk.crv !== 'Ed25519' || typeof privateJwk.d !== 'string') {
      throw new Error('JWT_PRIVATE_KEY must be an Ed25519 private key');
    }
    const current = await publicEntry(privateJwk);
    const signingKey = (await importJWK({ ...privateJwk, alg: ALGORITHM }, ALGORITHM)) as CryptoKey;
    const prev = await Promise.all(previous.map(publicEntry));
    return new KeyStore(
      issuer,
      signingKey,
      current,
      prev.filter((p) => p.kid !== current.kid),
      Math.min(accessTtlSeconds, ACCESS_TOKEN_TTL_SECONDS),
    );
  }

  static async generatePrivateJwk(): Promise<JWK> {
    const { privateKey } = await generateKeyPair(ALGORITHM, { crv: 'Ed25519', extractable: true });
    return exportJWK(privateKey);
  }

  /** Keys from config, or (outside production) the key persisted in the data folder. */
  static async load(config: Config): Promise<KeyStore> {
    const previous = config.auth.previousPublicKeys ? await parsePublicList(config.auth.previousPublicKeys) : [];
    if (config.auth.privateKey) {
      return KeyStore.fromJwks(
        config.auth.issuer,
        await parsePrivate(config.auth.privateKey),
        previous,
        config.auth.accessTokenTtlSeconds,
      );
    }
    if (config.isProduction) throw new Error('JWT_PRIVATE_KEY is required in production');
    const file = path.join(config.dataDir, 'keys', 'jwt-ed25519.jwk.json');
    let jwk: JWK;
    try {
      jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    } catch {
      jwk = await KeyStore.generatePrivateJwk();
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
    }
    return KeyStore.fromJwks(config.auth.issuer, jwk, previous, config.auth.accessTokenTtlSeconds);
  }

  get currentKid(): string {
    return this.current.kid;
  }

  /** Public keys only: current first, then previous. */
  jwks(): { keys: JWK[] } {
    return { keys: [...this.byKid.values()].map((e) => e.jwk) };
  }

  async sign(claims: AccessClaims, nowSeconds: number, ttlSeconds = this.accessTtlSeconds): Promise<string> {
    const payload: JWTPayload & { roles: readonly string[]; sid?: string; amr?: readonly string[] } = {
      roles: claims.roles,
    };
    if (claims.sessionId) payload.sid = claims.sessionId;
    if (claims.amr) payload.amr = claims.amr;
    return new SignJWT(payload)
      .setProtectedHeader({ alg: ALGORITHM, kid: this.current.kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.issuer)
      .setAudience(claims.audience)
      .setSubject(claims.subject)
      .setJti(claims.tokenId)
      .setIssuedAt(nowSeconds)
      .setNotBefore(nowSeconds)
      .setExpirationTime(nowSeconds + Math.min(ttlSeconds, ACCESS_TOKEN_TTL_SECONDS))
      .sign(this.signingKey);
  }

  /**
   * Verifies an access token: algorithm pinned, `kid` only a map lookup, `typ`, `iss`, `aud`,
   * `exp`, `sub`, `jti` required. Throws on anything else.
   */
  async verify(token: string, audiences: readonly Audience[], now: Date): Promise<VerifiedAccess> {
    // An EdDSA signature check costs ≈ 0.25 ms; a token already verified (same bytes) only needs
    // its time window and audience re-checked. Anything else falls through to the full check,
    // which raises the precise error.
    const hit = this.verified.get(token);
    const nowS = now.getTime() / 1000;
    if (
      hit &&
      audiences.includes(hit.audience) &&
      hit.expiresAt + CLOCK_TOLERANCE_SECONDS > nowS &&
      hit.notBefore - CLOCK_TOLERANCE_SECONDS <= nowS
    ) {
      const { notBefore: _nbf, ...claims } = hit;
      return claims;
    }
    const result = await this.verifyFully(token, audiences, now);
    if (this.verified.size >= VERIFIED_CACHE_MAX) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(token, result);
    const { notBefore: _nbf, ...claims } = result;
    return claims;
  }

  private async verifyFully(
    token: string,
    audiences: readonly Audience[],
    now: Date,
  ): Promise<VerifiedAccess & { notBefore: number }> {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const entry = typeof header.kid === 'string' ? this.byKid.get(header.kid) : undefined;
        if (!entry) throw new Error('unknown key id');
        return entry.key;
      },
      {
        algorithms: [ALGORITHM],
        issuer: this.issuer,
        audience: [...audiences],
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['exp', 'iat', 'sub', 'jti', 'iss', 'aud'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        // Our tokens never live longer than this; a longer-lived one was not minted by us.
        maxTokenAge: ACCESS_TOKEN_TTL_SECONDS + CLOCK_TOLERANCE_SECONDS,
        currentDate: now,
      },
    );
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
    const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
    return {
      subject: payload.sub as string,
      audience: aud as Audience,
      roles,
      sessionId: typeof payload.sid === 'string' ? payload.sid : null,
      tokenId: payload.jti as string,
      amr: Array.isArray(payload.amr) ? payload.amr.filter((m): m is string => typeof m === 'string') : [],
      expiresAt: payload.exp as number,
      notBefore: typeof payload.nbf === 'number' ? payload.nbf : (payload.iat as number),
    };
  }
}
