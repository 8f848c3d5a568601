import { splitWords } from "./words";

/**
 * The local origin's demo tool target for the example policy's `local_search` tool: `GET /v1/tools/search?q=...`
 * answers a small deterministic JSON document built from the query (no index, no network; it is labelled as such),
 * so the gateway's tool loop can be tried with `npm start` and no account anywhere.
 */
export function localSearch(query: string): {
  query: string;
  source: string;
  results: { title: string; snippet: string }[];
} {
  const words = splitWords(query)
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w.length > 3)
    .slice(0, 3);
  const topics = words.length === 0 ? ["gateway"] : words;
  return {
    query,
    source: "local origin demo search (deterministic, not a real index)",
    results: topics.map((topic, i) => ({
      title: `Result ${i + 1} about ${topic}`,
      snippet: `A canned snippet mentioning ${topic}, generated locally for the query.`,
    })),
  };
}
