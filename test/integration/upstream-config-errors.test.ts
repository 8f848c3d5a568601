import { describe, expect, it } from "vitest";
import { nonce, postJson, upstreamRequests } from "../helpers/gateway";

interface ErrorBody {
  error: { code: string; type: string; message: string; param: string | null };
}

describe("a target the gateway cannot call", () => {
  it("a hosted model whose secret is not set names the missing secret (by name only), 500 provider_not_configured", async () => {
    const res = await postJson("/v1/chat/completions", {
      model: "m-no-key",
      messages: [{ role: "user", content: nonce("nokey") }],
    });
    expect(res.status).toBe(500);
    const body = (await res.json()) as ErrorBody;
    expect(body.error).toMatchObject({ code: "provider_not_configured", type: "api_error" });
    expect(body.error.message).toContain("KEYLESS_TEST_API_KEY");
    expect(body.error.message).toContain('Model "m-no-key"');
  });

  it("an adapter that cannot translate the request answers the adapter's 400 (unsupported), not a retried 503", async () => {
    const marker = nonce("translate");
    // Gemini needs an image's type from its URL; this one has none, so the Gemini adapter refuses to translate it.
    const res = await postJson("/v1/chat/completions", {
      model: "m-gemini",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: marker },
            { type: "image_url", image_url: { url: "https://images.example/picture" } },
          ],
        },
      ],
    });
    const body = (await res.json()) as ErrorBody;
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.error).toMatchObject({ code: "unsupported_parameter", param: "messages.0.content.1.image_url.url" });
    expect(res.headers.get("x-gateway-attempts") ?? "1").toBe("1");
    expect(await upstreamRequests(marker)).toEqual([]);
  });
});
