import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBuiltGateway } from "./built-gateway";
import { type Caller, type PlainGateway, startPlainGateway } from "./harness";

/**
 * A body over the 4 MiB limit, sent by the official openai client over a real socket to the built gateway under
 * plain `workerd serve` (the runtime `npm start` uses, without wrangler dev's proxy, which buffers uploads). The
 * client must receive the 413 — not a reset it reports as "fetch failed" after retrying the upload.
 */
const CALLER: Caller = { key: "plain-workerd-static-key-0123456789abcdef", keyId: "serial", tenant: "acme" };
const ADMIN = "plain-workerd-admin-0123456789abcdef";

let gateway: PlainGateway;

const setup = useBuiltGateway("gw-plain-413-");

beforeAll(async () => {
  gateway = await startPlainGateway({
    ...setup(),
    backend: "durable-object",
    callers: [CALLER],
    adminSecret: ADMIN,
  });
});

afterAll(() => gateway?.stop());

describe("an oversized body (plain workerd, official openai client)", () => {
  it.each([
    ["5 MiB", 5],
    ["12 MiB", 12],
  ])("%s: the SDK receives the 413 with its code and request id", async (_, mib) => {
    // Default retries: a reset mid-upload would be retried (each retry a fetch here) or end as a connection error.
    let uploads = 0;
    const client = new OpenAI({
      apiKey: CALLER.key,
      baseURL: `${gateway.base}/v1`,
      fetch: (url, init) => {
        uploads++;
        return fetch(url, init);
      },
    });
    const err = await client.chat.completions
      .create({ model: "small", messages: [{ role: "user", content: "x".repeat(mib * 1024 * 1024) }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const apiErr = err as InstanceType<typeof OpenAI.APIError>;
    expect(apiErr.status, String(apiErr.message)).toBe(413);
    expect(apiErr.code).toBe("payload_too_large");
    expect(apiErr.requestID).toMatch(/^req_/);
    expect(uploads).toBe(1);
  });
});
