/**
 * Credentials the cloud fakes accept (and the test Worker is given as secrets): AWS access keys for SigV4, a Google
 * service-account key pair for Vertex's OAuth exchange. Test-only values; nothing here is a real credential.
 */
import { generateKeyPairSync } from "node:crypto";

export const AWS_TEST_CREDENTIALS = {
  accessKeyId: "AKIDFAKEBEDROCKTEST1",
  secretAccessKey: "fake/bedrock+secret/key/for/sigv4/tests0001",
} as const;

/** A key id the fake knows, paired in the test Worker with a secret that is NOT its own: its signatures must fail. */
export const AWS_WRONG_SECRET = {
  accessKeyId: AWS_TEST_CREDENTIALS.accessKeyId,
  secretAccessKey: "wrong/secret/the/signature/must/not/verify00",
} as const;

export const AZURE_TEST_API_KEY = "fake-azure-api-key-3c9d";
export const AZURE_TEST_ENTRA_TOKEN = "fake-entra-bearer-token-71aa";

export interface ServiceAccount {
  /** The JSON Google issues for a service-account key, with `token_uri` pointing at the fake. */
  json: string;
  clientEmail: string;
  publicKeyPem: string;
}

export function makeServiceAccount(tokenUri: string, clientEmail = "gateway@fake-project.iam.gserviceaccount.com") {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const json = JSON.stringify({
    type: "service_account",
    project_id: "fake-project",
    private_key_id: "fake-key-1",
    private_key: privatePem,
    client_email: clientEmail,
    client_id: "100000000000000000001",
    token_uri: tokenUri,
  });
  return { json, clientEmail, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

/** The key the fake's Anthropic Message Batches routes accept (the test Worker's ANTHROPIC_API_KEY). */
export const ANTHROPIC_TEST_API_KEY = "fake-anthropic-secret";

/** The signing secret of the test tenants' batch webhooks (Standard Webhooks form: `whsec_` + base64 of the key). */
export const WEBHOOK_TEST_SECRET = `whsec_${Buffer.from("batch-webhook-test-key-7d1e0c").toString("base64")}`;
