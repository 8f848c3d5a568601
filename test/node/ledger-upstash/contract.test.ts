import { afterAll, beforeAll } from "vitest";
import { ledgerContract } from "../../integration/ledger/contract";
import { ledgerServer } from "./helpers";

/** The shared ledger contract against the Upstash backend in Node, over a real redis-server behind the REST front. */
const server = ledgerServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

ledgerContract({
  name: "upstash (node)",
  make: async () => server.make(),
  faults: {
    down: async () => server.local().front.setDown(true),
    up: async () => server.local().front.setDown(false),
  },
});
