/**
 * The HTTP status of a ts-client failure, or undefined when commercetools was not reached (network
 * error, timeout). ts-client throws plain objects: the status usually sits at the top
 * (`statusCode`), but for an error answer without `errors` it reports status 0 and keeps the answer
 * in `body` (or wraps it in `error`), whose commercetools error JSON carries `statusCode` itself.
 */
export function statusOf(error: unknown): number | undefined {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 4; depth += 1) {
    const { statusCode, body, error: inner } = current as { statusCode?: unknown; body?: unknown; error?: unknown };
    if (typeof statusCode === 'number' && statusCode > 0) return statusCode;
    const bodyStatus =
      typeof body === 'object' && body !== null ? (body as { statusCode?: unknown }).statusCode : undefined;
    if (typeof bodyStatus === 'number' && bodyStatus > 0) return bodyStatus;
    current = inner !== current ? inner : undefined;
  }
  return undefined;
}
