/**
 * One ISO-BMFF (MP4) box header, parsed the same way by the storage's verifier and the
 * simulator's sample-video tools: a 32-bit size and a four-character type; size 1 means a 64-bit
 * size follows the type, size 0 means "to the end of the file".
 */

export type BoxHeader =
  | { ok: true; type: string; size: number; headerBytes: 8 | 16 }
  | { ok: false; problem: 'header cut off' | '64-bit header cut off' };

/** Parses the header at `offset` of a file of `fileSize` bytes from up to 16 bytes read there. */
export function parseBoxHeader(header: Uint8Array, offset: number, fileSize: number): BoxHeader {
  if (header.length < 8) return { ok: false, problem: 'header cut off' };
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const type = String.fromCharCode(header[4]!, header[5]!, header[6]!, header[7]!);
  const size = view.getUint32(0);
  if (size === 1) {
    if (header.length < 16) return { ok: false, problem: '64-bit header cut off' };
    return { ok: true, type, size: Number(view.getBigUint64(8)), headerBytes: 16 };
  }
  return { ok: true, type, size: size === 0 ? fileSize - offset : size, headerBytes: 8 };
}
