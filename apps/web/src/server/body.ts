/**
 * The request body as UTF-8 text, or undefined when it is larger than `maxBytes` (by declared length, or by
 * counted bytes for a chunked body), so an oversized body costs nothing but the cap.
 */
export async function readBodyCapped(request: Request, maxBytes: number): Promise<string | undefined> {
  const declaredHeader = request.headers.get("content-length");
  const declared = Number(declaredHeader ?? "0");
  if (declared > maxBytes) return undefined;
  if (!request.body) return "";
  if (declaredHeader !== null && Number.isSafeInteger(declared) && declared >= 0) {
    // A declared length within the cap bounds the body (Node's HTTP parser reads exactly that many bytes), so it is
    // read in one call instead of chunk by chunk. WeChat always sends Content-Length.
    return new TextDecoder("utf-8").decode(await request.arrayBuffer());
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  // Malformed UTF-8 becomes U+FFFD here; the signature check then fails, as it must.
  return new TextDecoder("utf-8").decode(Buffer.concat(chunks));
}
