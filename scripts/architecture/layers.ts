/**
 * The rooms of `src/`, from the top (the Worker entry) down. A file may import only rooms BELOW its own: data flows
 * down this list, and a lower room that needs something from above takes a function or a type from a lower module.
 * README's architecture section describes the same order; `test/node/architecture/import-graph.test.ts` enforces it.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["index"],
  ["worker"],
  ["services"],
  ["app"],
  ["routes"],
  ["batch"],
  ["gateway"],
  ["middleware"],
  ["tools"],
  ["context"],
  ["env"],
  ["analytics"],
  ["observability"],
  ["cache"],
  ["auth"],
  ["ledger"],
  ["storage"],
  ["routing"],
  ["providers"],
  ["formats"],
  ["streaming"],
  ["policy"],
  ["canonical"],
  ["errors"],
];
