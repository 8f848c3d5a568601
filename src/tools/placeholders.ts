/**
 * `${VAR}` placeholders in tool definitions (URL, allowed hosts, headers), filled from Worker vars and secrets at
 * call time. Results name the missing variable, never a value. The values used are returned too, so the executor
 * can scrub them from anything the model or the client gets back (see redact.ts).
 */

export type Lookup = (name: string) => string | undefined;

export type Filled = { ok: true; value: string; used: string[] } | { ok: false; missing: string };

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function fillPlaceholders(template: string, lookup: Lookup): Filled {
  let missing: string | undefined;
  const used: string[] = [];
  const value = template.replace(PLACEHOLDER, (_, name: string) => {
    const found = lookup(name);
    // An empty var is a misconfiguration, not a value.
    if (found === undefined || found === "") {
      missing ??= name;
      return "";
    }
    used.push(found);
    return found;
  });
  return missing === undefined ? { ok: true, value, used } : { ok: false, missing };
}
