import { beforeAll, describe, expect, it } from "vitest";
import type { ChatRequest } from "../../src/canonical/chat";
import { estimateTextTokens } from "../../src/routing/text-tokens";
import { estimatePromptTokens } from "../../src/routing/token-estimate";
import {
  type Backend,
  type BackendName,
  chat,
  chatBody,
  costOf,
  deliveredText,
  entriesOf,
  holdFor,
  makeBackend,
  newAccount,
  requestIdOf,
  settled,
  usageOf,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";
import { checkInvariant } from "./ledger/invariant";

const FUNDS = 10_000_000;

/** Delivered text of a JSON or streamed answer. */

/**
 * Usage that parses but cannot be true (issue 12, item 2): `-0`, cached tokens above the prompt, and 0 tokens for a
 * delivered answer. Each is billed at the hold or the estimate and flagged, never below what was delivered.
 */
describe.each<BackendName>(["durable-object", "upstash"])("implausible usage (%s)", (name) => {
  let b: Backend;
  beforeAll(async () => {
    b = await makeBackend(name);
  });

  describe.each([
    ["negative zero completion tokens", "b-bad-negzero"],
    ["cached tokens above the prompt", "b-bad-cached"],
  ])("%s", (_, model) => {
    it.each([
      ["stream", true],
      ["JSON", false],
    ])("%s: billed at the full hold, flagged usage_untrusted", async (_label, stream) => {
      const n = nonce(model);
      const account = await newAccount(b, FUNDS);
      const body = chatBody(model, `bad ${n}`, { stream, max_tokens: 100 });
      const { hold } = holdFor(body, 100);
      const res = await chat(b, account, body);
      expect(res.status).toBe(200);
      expect((await deliveredText(res, stream)).length).toBeGreaterThan(0);
      const balance = await settled(b, account);
      expect(balance.balance).toBe(FUNDS - hold);
      const entries = await entriesOf(b, account, requestIdOf(res));
      expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
      expect(entries[1]?.charged).toBe(hold);
      expect((await usageOf(b, account, requestIdOf(res)))?.flags).toContain("usage_untrusted");
      await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
    });
  });

  it.each([
    ["stream", true],
    ["JSON", false],
  ])(
    "%s: 0 prompt and 0 completion tokens for a delivered answer are billed at the estimate, flagged usage_implausible",
    async (_label, stream) => {
      const n = nonce("bad-zero");
      const account = await newAccount(b, FUNDS);
      const body = chatBody("b-bad-zero", `zero ${n}`, { stream, max_tokens: 100 });
      const res = await chat(b, account, body);
      expect(res.status).toBe(200);
      const text = await deliveredText(res, stream);
      expect(text.length).toBeGreaterThan(0);
      await settled(b, account);
      const event = await usageOf(b, account, requestIdOf(res));
      const estimate = {
        input: estimatePromptTokens(body as ChatRequest),
        output: estimateTextTokens(text),
      };
      expect(event).toMatchObject({ inputTokens: estimate.input, outputTokens: estimate.output });
      expect(event?.flags).toContain("usage_implausible");
      const entries = await entriesOf(b, account, requestIdOf(res));
      expect(entries[1]?.charged).toBe(costOf(estimate.input, estimate.output));
      expect(entries[1]?.charged).toBeGreaterThan(0);
      await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
    },
  );
});
