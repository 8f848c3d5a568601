/**
 * What the Worker may connect to under `npm start`. Miniflare's default lets a Worker reach private networks, which
 * production never does (Cloudflare's network resolves names and does not connect to private or link-local
 * addresses), so a tool host that passes the allowlist by name but RESOLVES to 10.x or 169.254.169.254 would be
 * reached locally and not in production. workerd's peer filter closes that: it applies after DNS resolution, to every
 * outbound fetch (tools, providers, JWKS), and refuses before any connection is made.
 *
 * Loopback stays reachable: the local origin (and whatever you run on 127.0.0.1) lives there; the gateway's own tool
 * checks still refuse loopback unless a tool allowlists that exact host:port. `LOCAL_ALLOW_PRIVATE_NETWORK=1` lifts
 * the private-range refusal (a GPU cluster on your LAN); link-local and cloud-metadata addresses stay refused.
 */
export const LINK_LOCAL_AND_METADATA = ["169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32"];

export interface LocalNetwork {
  network: { allow: string[]; deny: string[]; tlsOptions: { trustBrowserCas: boolean } };
}

export function localOutbound(allowPrivate = process.env.LOCAL_ALLOW_PRIVATE_NETWORK === "1"): LocalNetwork {
  return {
    network: {
      allow: allowPrivate ? ["public", "private"] : ["public", "local"],
      deny: LINK_LOCAL_AND_METADATA,
      // As Miniflare's default outbound does: hosted providers' certificates verify against the usual CAs.
      tlsOptions: { trustBrowserCas: true },
    },
  };
}
