/**
 * AWS Signature Version 4 for Bedrock, with `aws4fetch` (pinned): a small, dependency-free signer built on WebCrypto
 * that runs unchanged in Workers. It is used over an own implementation because SigV4's canonicalisation has sharp
 * edges Bedrock hits (model ids with `:` are double-encoded in the canonical path) that aws4fetch already handles.
 * Region and service are passed explicitly, so a base URL pointed at a local test server is signed like the real host.
 */
import { AwsClient } from "aws4fetch";
import type { AuthorizerFactory, RequestAuthorizer } from "./types";

const DEFAULT_ACCESS_KEY_ID_SECRET = "AWS_ACCESS_KEY_ID";

export const sigv4Authorizer =
  (service: string): AuthorizerFactory =>
  (config, secretAccessKey, lookup) => {
    const idName = config.access_key_id_secret ?? DEFAULT_ACCESS_KEY_ID_SECRET;
    const accessKeyId = lookup(idName)?.trim();
    if (accessKeyId === undefined) return { ok: false, reason: `credential variable ${idName} is not set` };
    const sessionToken =
      config.session_token_secret === undefined ? undefined : lookup(config.session_token_secret)?.trim();
    if (config.session_token_secret !== undefined && sessionToken === undefined) {
      return { ok: false, reason: `credential variable ${config.session_token_secret} is not set` };
    }
    if (config.region === undefined) return { ok: false, reason: "no region configured" };
    const client = new AwsClient({
      accessKeyId,
      secretAccessKey,
      ...(sessionToken === undefined ? {} : { sessionToken }),
      service,
      region: config.region,
      retries: 0,
    });
    const authorizer: RequestAuthorizer = {
      // The signal is passed on: aws4fetch rebuilds the Request from its parts.
      authorize: (request) => client.sign(request, { signal: request.signal }),
    };
    return { ok: true, authorizer };
  };
