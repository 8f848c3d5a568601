import { describe, expect, it } from "vitest";
import { nonce, postJson, readSse, upstreamRequests, upstreamUrl, userMessage } from "../helpers/gateway";

/**
 * Google Vertex AI through the gateway: Gemini (generateContent / streamGenerateContent) and Anthropic models
 * (rawPredict / streamRawPredict). The fake upstream is also the OAuth token endpoint: it verifies the RS256
 * assertion against the service account's public key and refuses calls without a live access token (401).
 */

interface ChatBody {
  choices: { message: { content: string | null }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number };
}

const PREFIX = "/vertex/v1/projects/fake-project/locations/us-central1/publishers";

async function exchanges(): Promise<number> {
  const res = await fetch(`${upstreamUrl()}/oauth2/__stats`);
  return ((await res.json()) as { exchanges: number }).exchanges;
}

describe("Vertex AI", () => {
  it.each([
    ["Gemini", "m-vertex-gemini", `${PREFIX}/google/models/gemini-2.5-flash:generateContent`],
    ["Anthropic", "m-vertex-claude", `${PREFIX}/anthropic/models/claude-sonnet-4@20250514:rawPredict`],
  ])("answers JSON from %s on Vertex with an OAuth access token", async (_, model, path) => {
    const n = nonce("vertex");
    const res = await postJson("/v1/chat/completions", { model, messages: userMessage(`hello ${n}`) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ChatBody;
    expect(body.choices[0]?.message.content).toContain(`echo: hello ${n}`);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    const [seen] = await upstreamRequests(n);
    expect(seen?.path).toBe(path);
    expect(seen?.headers.authorization).toMatch(/^Bearer ya29\.fake-[0-9a-f]{24}$/);
  });

  it("sends Anthropic-on-Vertex the Messages body with anthropic_version and without model", async () => {
    const n = nonce("vertex-claude-body");
    await postJson("/v1/chat/completions", { model: "m-vertex-claude", messages: userMessage(n), max_tokens: 30 });
    const [seen] = await upstreamRequests(n);
    const sent = seen?.body as Record<string, unknown>;
    expect(sent.anthropic_version).toBe("vertex-2023-10-16");
    expect(sent).not.toHaveProperty("model");
    expect(sent.max_tokens).toBe(30);
  });

  it.each([
    ["Gemini", "m-vertex-gemini", /:streamGenerateContent$/],
    ["Anthropic", "m-vertex-claude", /:streamRawPredict$/],
  ])("streams %s on Vertex as OpenAI chunks", async (_, model, path) => {
    const n = nonce("vertex-stream");
    const res = await postJson("/v1/chat/completions", { model, stream: true, messages: userMessage(`s ${n}`) });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events.at(-1)?.data).toBe("[DONE]");
    const text = events
      .slice(0, -1)
      .flatMap((e) => (JSON.parse(e.data) as { choices: { delta: { content?: string } }[] }).choices)
      .map((c) => c.delta.content ?? "")
      .join("");
    expect(text).toContain(`echo: s ${n}`);
    const [seen] = await upstreamRequests(n);
    expect(seen?.path).toMatch(path);
  });

  it("caches the access token across requests (no exchange per call)", async () => {
    await postJson("/v1/chat/completions", { model: "m-vertex-gemini", messages: userMessage(nonce()) });
    const before = await exchanges();
    await Promise.all(
      [1, 2, 3].map(() =>
        postJson("/v1/chat/completions", { model: "m-vertex-gemini", messages: userMessage(nonce()) }),
      ),
    );
    expect(await exchanges()).toBe(before);
  });

  it("a token the upstream refuses as expired (401) is refreshed once and the call succeeds", async () => {
    await postJson("/v1/chat/completions", { model: "m-vertex-gemini", messages: userMessage(nonce()) });
    const before = await exchanges();
    await fetch(`${upstreamUrl()}/oauth2/__expire`, { method: "POST" });
    const n = nonce("vertex-expired");
    const res = await postJson("/v1/chat/completions", { model: "m-vertex-gemini", messages: userMessage(n) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-attempts")).toBe("1");
    expect(await exchanges()).toBe(before + 1);
    const seen = await upstreamRequests(n);
    expect(seen).toHaveLength(2);
    expect(seen[0]?.headers.authorization).not.toBe(seen[1]?.headers.authorization);
  });

  it("falls back to the next target when Vertex throttles (429 RESOURCE_EXHAUSTED)", async () => {
    // A fresh token for the fallback target first: an earlier test expires every issued token.
    await postJson("/v1/chat/completions", { model: "m-vertex-claude", messages: userMessage(nonce()) });
    const n = nonce("vertex-throttle");
    const res = await postJson("/v1/chat/completions", { model: "m-vertex-throttled", messages: userMessage(n) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-provider")).toBe("fake-vertex-anthropic");
    const seen = await upstreamRequests(n);
    expect(seen.map((r) => r.path.split(":").at(-1))).toEqual(["generateContent", "rawPredict"]);
  });
});
