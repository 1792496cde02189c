export function testReporters(packageName: string): (string | [string, Record<string, unknown>])[];
export const testTimeouts: { readonly testTimeout: number; readonly hookTimeout: number };
