import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from "jose";
import { closeServer, listen, parseJson, readBody, sendJson } from "../../local/http";

/**
 * A real JWKS endpoint on 127.0.0.1 with real RSA and EC keys, for JWT tests in Node and (over HTTP) inside workerd.
 *
 *   GET  /jwks.json                      the default realm's key set (counted)
 *   GET  /realms/<name>/jwks.json        an independent realm, created on first use (counted)
 *   POST /__control/down | up | rotate   ?realm=<name> (default realm without it)
 *   POST /__control/mode                 {"mode": "ok" | "down" | "garbage" | "hang"}
 *   GET  /__control/fetch-count          {"count": n}     POST /__control/reset-count
 *   GET  /__control/jwks                 the public set regardless of mode; POST /__control/sign {claims, kid?, alg?, header?}
 */

/**
 * One independent issuer of the test JWKS server: its own key pairs, failure mode and fetch counter. Tests that
 * rotate keys or take the endpoint down use a realm of their own, so they cannot disturb tests sharing the server.
 */

export type SigningAlg = "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256";

/** ok: serve the set; down: 503; garbage: 200 with a body that is not JSON; hang: never answer (timeouts). */
export type JwksMode = "ok" | "down" | "garbage" | "hang";

export interface SignOptions {
  /** Default: the current key's kid; `null` omits the kid header. Any other string is sent as-is (unknown kids). */
  kid?: string | null;
  alg?: SigningAlg;
  /** Extra protected-header parameters (e.g. `jwk`, `jku`, `crit`) for attack tests. */
  header?: Record<string, unknown>;
}

interface Pair {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

let generation = 0;

async function pair(alg: "RS256" | "ES256", tag: string): Promise<Pair> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${tag}-${++generation}-${crypto.randomUUID().slice(0, 8)}`;
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

class JwksRealm {
  mode: JwksMode = "ok";
  fetches = 0;

  private constructor(
    private rsa: Pair,
    private ec: Pair,
  ) {}

  static async create(): Promise<JwksRealm> {
    const [rsa, ec] = await Promise.all([pair("RS256", "rsa"), pair("ES256", "ec")]);
    return new JwksRealm(rsa, ec);
  }

  /** Replaces both key pairs with new ones under new kids; the old keys leave the set. */
  async rotate(): Promise<void> {
    [this.rsa, this.ec] = await Promise.all([pair("RS256", "rsa"), pair("ES256", "ec")]);
  }

  jwks(): JSONWebKeySet {
    return { keys: [this.rsa.publicJwk, this.ec.publicJwk] };
  }

  currentKids(): { rsa: string; ec: string } {
    return { rsa: this.rsa.kid, ec: this.ec.kid };
  }

  async sign(claims: JWTPayload, opts: SignOptions = {}): Promise<string> {
    const alg = opts.alg ?? "RS256";
    const key = alg === "ES256" ? this.ec : this.rsa;
    const kid = opts.kid === undefined ? key.kid : opts.kid;
    const header: JWTHeaderParameters = { ...opts.header, alg, ...(kid === null ? {} : { kid }) };
    // jose refuses to sign unknown critical extensions unless told they are understood.
    const names: unknown[] = Array.isArray(header.crit) ? header.crit : [];
    const crit = Object.fromEntries(names.map((name) => [String(name), true]));
    return new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey, { crit });
  }
}

export interface JwksRealmHandle {
  /** The JWKS endpoint URL. */
  url: string;
  sign(claims: JWTPayload, opts?: SignOptions): Promise<string>;
  rotate(): Promise<void>;
  setDown(down: boolean): void;
  setMode(mode: JwksMode): void;
  fetchCount(): number;
  resetFetchCount(): void;
  jwks(): JSONWebKeySet;
  currentKids(): { rsa: string; ec: string };
}

export interface JwksServer extends JwksRealmHandle {
  /** The server root (`http://127.0.0.1:PORT`), for the control endpoints. */
  controlUrl: string;
  realm(name: string): Promise<JwksRealmHandle>;
  close(): Promise<void>;
}

const REALM_NAME = /^[a-z0-9-]{1,64}$/;
const MODES: readonly JwksMode[] = ["ok", "down", "garbage", "hang"];
const ALGS: readonly SigningAlg[] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256"];

export async function startJwksServer(): Promise<JwksServer> {
  const realms = new Map<string, Promise<JwksRealm>>();
  const realmFor = (name: string): Promise<JwksRealm> => {
    let realm = realms.get(name);
    if (realm === undefined) {
      realm = JwksRealm.create();
      realms.set(name, realm);
    }
    return realm;
  };
  const hanging = new Set<ServerResponse>();

  const serveJwks = (realm: JwksRealm, res: ServerResponse) => {
    realm.fetches += 1;
    if (realm.mode === "down") return sendJson(res, 503, { error: "jwks down" });
    if (realm.mode === "hang") {
      hanging.add(res);
      return;
    }
    if (realm.mode === "garbage") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end("{not json");
    }
    sendJson(res, 200, realm.jwks(), { "cache-control": "max-age=300" });
  };

  const control = async (action: string, realm: JwksRealm, req: IncomingMessage, res: ServerResponse) => {
    const body = req.method === "POST" ? await readBody(req, 64 * 1024) : { ok: true as const, text: "" };
    const json = body.ok && body.text !== "" ? parseJson(body.text) : { ok: true as const, value: {} };
    const input = (json.ok ? json.value : {}) as Record<string, unknown>;
    switch (`${req.method} ${action}`) {
      case "POST down":
      case "POST up":
        realm.mode = action === "down" ? "down" : "ok";
        return sendJson(res, 200, { mode: realm.mode });
      case "POST mode": {
        const mode = MODES.find((m) => m === input.mode);
        if (mode === undefined) return sendJson(res, 400, { error: `mode must be one of ${MODES.join(", ")}` });
        realm.mode = mode;
        return sendJson(res, 200, { mode });
      }
      case "POST rotate":
        await realm.rotate();
        return sendJson(res, 200, { kids: realm.currentKids() });
      case "GET fetch-count":
        return sendJson(res, 200, { count: realm.fetches });
      case "POST reset-count":
        realm.fetches = 0;
        return sendJson(res, 200, { count: 0 });
      case "GET jwks":
        return sendJson(res, 200, { ...realm.jwks(), kids: realm.currentKids() });
      case "POST sign": {
        const alg = input.alg === undefined ? undefined : ALGS.find((a) => a === input.alg);
        if (input.alg !== undefined && alg === undefined) return sendJson(res, 400, { error: "unsupported alg" });
        const claims = (input.claims ?? {}) as JWTPayload;
        const kid = input.kid === null || typeof input.kid === "string" ? input.kid : undefined;
        const header = (input.header ?? {}) as Record<string, unknown>;
        const token = await realm.sign(claims, { ...(alg === undefined ? {} : { alg }), kid, header });
        return sendJson(res, 200, { token });
      }
      default:
        return sendJson(res, 404, { error: `no control action ${req.method} ${action}` });
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const handle = async () => {
      if (req.method === "GET" && url.pathname === "/jwks.json") return serveJwks(await realmFor("default"), res);
      const realmPath = /^\/realms\/([^/]+)\/jwks\.json$/.exec(url.pathname);
      if (req.method === "GET" && realmPath?.[1] !== undefined && REALM_NAME.test(realmPath[1])) {
        return serveJwks(await realmFor(realmPath[1]), res);
      }
      const action = /^\/__control\/([a-z-]+)$/.exec(url.pathname)?.[1];
      const name = url.searchParams.get("realm") ?? "default";
      if (action !== undefined && REALM_NAME.test(name)) return control(action, await realmFor(name), req, res);
      sendJson(res, 404, { error: "not found" });
    };
    handle().catch((error: unknown) => sendJson(res, 500, { error: String(error) }));
  });
  const root = await listen(server, 0, "127.0.0.1");

  const handleFor = async (name: string): Promise<JwksRealmHandle> => {
    const realm = await realmFor(name);
    return {
      url: name === "default" ? `${root}/jwks.json` : `${root}/realms/${name}/jwks.json`,
      sign: (claims, opts) => realm.sign(claims, opts),
      rotate: () => realm.rotate(),
      setDown: (down) => {
        realm.mode = down ? "down" : "ok";
      },
      setMode: (mode) => {
        realm.mode = mode;
      },
      fetchCount: () => realm.fetches,
      resetFetchCount: () => {
        realm.fetches = 0;
      },
      jwks: () => realm.jwks(),
      currentKids: () => realm.currentKids(),
    };
  };

  const main = await handleFor("default");
  return {
    ...main,
    controlUrl: root,
    realm: (name) => {
      if (!REALM_NAME.test(name)) throw new Error(`realm names are ${REALM_NAME.source}`);
      return handleFor(name);
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      await closeServer(server);
    },
  };
}
