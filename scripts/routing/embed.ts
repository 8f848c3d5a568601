import { join } from "node:path";
import { embedTexts, USE_LITE_DIMS } from "../../local/embeddings-use";
import { modelEmbedder } from "../../src/cache/embedder";
import type { EmbeddingsResponse } from "../../src/canonical/chat";
import { type EmbeddingStore, openEmbeddingStore } from "../eval/embedding-store";

/**
 * The named embedder training runs with. `local-embed` is USE-lite in this process: the same model the local origin
 * serves as `local-embed`, so a router trained with it matches a route whose cache embedder is an alias of that model.
 * `alias:<name>` calls the policy's embeddings alias through a running gateway (GATEWAY_URL, GATEWAY_KEY), wrapped
 * in the gateway's own Embedder (src/cache/embedder), so vectors are normalised exactly as the Worker normalises
 * them; the upstream model the gateway reports (`x-gateway-upstream-model`) is what the artifact records.
 */
export interface NamedEmbedder {
  /** The upstream model name the artifact records. */
  model(): string;
  dims(): number;
  store: EmbeddingStore;
  fill(texts: readonly string[]): Promise<number>;
}

function progress(label: string): (done: number, total: number) => void {
  const started = performance.now();
  return (done, total) => {
    const per = (performance.now() - started) / Math.max(1, done);
    process.stderr.write(`\rembedding with ${label}: ${done}/${total} (${per.toFixed(1)} ms/text)   `);
  };
}

function localEmbedder(cacheDir: string): NamedEmbedder {
  const store = openEmbeddingStore(join(cacheDir, "use-lite"), USE_LITE_DIMS);
  return {
    model: () => "local-embed",
    dims: () => USE_LITE_DIMS,
    store,
    async fill(texts) {
      const n = await store.fill(texts, embedTexts, progress("USE-lite"));
      if (n > 0) process.stderr.write("\n");
      return n;
    },
  };
}

async function gatewayEmbedder(alias: string, cacheDir: string): Promise<NamedEmbedder> {
  const base = (process.env.GATEWAY_URL ?? "http://127.0.0.1:8787").replace(/\/$/, "");
  const key = process.env.GATEWAY_KEY ?? "sk-gw-local-dev";
  let upstreamModel: string | undefined;
  const embedder = modelEmbedder(alias, async (text, signal) => {
    const res = await fetch(`${base}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: alias, input: text, encoding_format: "float" }),
      ...(signal === undefined ? {} : { signal }),
    });
    if (!res.ok) return { ok: false, reason: `gateway answered ${res.status}: ${(await res.text()).slice(0, 200)}` };
    upstreamModel ??= res.headers.get("x-gateway-upstream-model") ?? undefined;
    return { ok: true, response: (await res.json()) as EmbeddingsResponse };
  });
  const probe = await embedder.embed("dimension probe");
  if (!probe.ok) throw new Error(`embedder alias:${alias}: ${probe.reason}`);
  const dims = probe.vector.length;
  const model = upstreamModel ?? alias;
  const store = openEmbeddingStore(join(cacheDir, `model-${model.replace(/[^A-Za-z0-9._-]/g, "_")}-${dims}`), dims);
  const embed = async (texts: string[]) =>
    Promise.all(
      texts.map(async (t) => {
        const r = await embedder.embed(t);
        if (!r.ok) throw new Error(`embedder alias:${alias}: ${r.reason}`);
        return r.vector;
      }),
    );
  return {
    model: () => model,
    dims: () => dims,
    store,
    async fill(texts) {
      const n = await store.fill(texts, embed, progress(`alias:${alias} (${model})`));
      if (n > 0) process.stderr.write("\n");
      return n;
    },
  };
}

export function openNamedEmbedder(name: string, cacheDir: string): Promise<NamedEmbedder> {
  if (name === "local-embed") return Promise.resolve(localEmbedder(cacheDir));
  return gatewayEmbedder(name.slice("alias:".length), cacheDir);
}
