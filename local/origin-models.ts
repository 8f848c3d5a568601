/** The models the local origin serves. Chat models differ only in their label and how much they say by default. */
export type OriginModel =
  | { id: string; kind: "chat"; verbose: boolean }
  | { id: string; kind: "embedding"; dims: number };

export const ORIGIN_MODELS: readonly OriginModel[] = [
  { id: "local-small", kind: "chat", verbose: false },
  { id: "local-large", kind: "chat", verbose: true },
  { id: "local-embed", kind: "embedding", dims: 256 },
];

export function findOriginModel(id: string): OriginModel | undefined {
  return ORIGIN_MODELS.find((m) => m.id === id);
}
