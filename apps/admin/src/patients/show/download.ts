/**
 * Streamed exports saved as files. The access token lives in memory only, so the file is fetched
 * with the bearer header (never a token in a URL), read chunk by chunk to report progress, and
 * handed to the browser as a blob. A 401 gets one refresh and one retry, like the typed client.
 */
import { session } from '../../api/client';

export interface DownloadResult {
  bytes: number;
  filename: string;
}

function filenameOf(response: Response, fallback: string): string {
  const header = response.headers.get('content-disposition') ?? '';
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header);
  return m?.[1] ? decodeURIComponent(m[1]) : fallback;
}

export async function downloadFile(
  url: string,
  fallbackName: string,
  onProgress: (bytes: number) => void,
): Promise<DownloadResult> {
  const send = () =>
    fetch(url, {
      credentials: 'same-origin',
      headers: session.accessToken() ? { Authorization: `Bearer ${session.accessToken()}` } : {},
    });
  let response = await send();
  if (response.status === 401 && (await session.refresh())) response = await send();
  if (!response.ok || !response.body) throw new Error(`download failed: ${response.status}`);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    bytes += value.byteLength;
    onProgress(bytes);
  }
  const blob = new Blob(chunks as BlobPart[], {
    type: response.headers.get('content-type') ?? 'application/octet-stream',
  });
  const filename = filenameOf(response, fallbackName);
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the save before the blob is released.
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return { bytes, filename };
}

export function formatBytes(bytes: number, locale: string): string {
  const units = ['B', 'kB', 'MB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: i === 0 ? 0 : 1 }).format(v)} ${units[i]}`;
}
