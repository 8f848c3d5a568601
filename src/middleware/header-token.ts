/** Shape of the gateway's token-like request headers (task id, task type, feature). */
export const HEADER_TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;
