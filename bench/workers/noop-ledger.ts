/**
 * A ledger that keeps no books, for the bench only (never shipped): every admission is granted from an unlimited
 * balance with the real grant arithmetic, every settlement and void answers as if it resolved an open hold. It keeps
 * two counters so the bench's health line can show requests were billed; nothing is stored. Measuring the gateway with
 * this store says what the rest of the gateway (auth, routing, metering, analytics) costs without the ledger's calls.
 */
import { grantFor } from "../../src/ledger/durable-object/grant";
import type { Balance, Ledger } from "../../src/ledger/types";

const UNLIMITED = Number.MAX_SAFE_INTEGER;

export function createNoopLedger(): Ledger {
  let billed = 0;
  let credited = 0;
  let openHolds = 0;
  const balance = (keyId: string): Balance => ({
    keyId,
    balance: UNLIMITED,
    held: 0,
    openHolds,
    credited,
    billed,
  });
  return {
    async admit(req) {
      const grant = grantFor(UNLIMITED, req);
      if (!grant.ok) return { kind: "insufficient_credits", balance: UNLIMITED, needed: grant.needed };
      openHolds += 1;
      return {
        kind: "admitted",
        reserved: grant.reserved,
        outputTokens: grant.outputTokens,
        clamped: grant.clamped,
        balanceAfter: UNLIMITED,
        rate: [],
      };
    },
    async settle(req) {
      openHolds -= 1;
      billed += req.cost;
      return { kind: "settled", charged: req.cost, released: 0, balanceAfter: UNLIMITED };
    },
    async void() {
      openHolds -= 1;
      return { kind: "voided", released: 0, balanceAfter: UNLIMITED };
    },
    async credit(keyId, _tenantId, amount) {
      credited += amount;
      return balance(keyId);
    },
    async balance(keyId) {
      return balance(keyId);
    },
    async entries() {
      return [];
    },
    async usage() {
      return [];
    },
    async sweep() {
      return 0;
    },
    async recordToolCall() {
      return { ok: true };
    },
    async record() {
      return { kind: "recorded" };
    },
  };
}
