/** The bench's compiled policy (bench/.out/policy.json), resolved by bench/build.ts when it bundles the gateway. */
declare module "bench:policy" {
  const policy: import("../../src/policy/types").CompiledPolicy;
  export default policy;
}
