import '@fastify/multipart';
import type { MultipartFile } from '@fastify/multipart';
import { HttpStatus } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiException } from '../common/errors/api-error';
import { storableText } from '../common/input-safety';
import { IMPORT_MAX_BYTES } from './establishment.constants';
import type { UploadedSheet } from './posts-import.service';

/**
 * The spreadsheet of a multipart/form-data upload (field `file`), as HR sends it from a form or
 * `curl -F file=@posts.csv`. Over IMPORT_MAX_BYTES is 413; anything else malformed is 400/415.
 */
export async function readUpload(req: FastifyRequest, maxBytes = IMPORT_MAX_BYTES): Promise<UploadedSheet> {
  return readOneFile(
    req,
    maxBytes,
    async (part, filename) => ({ buffer: await part.toBuffer(), filename }),
    (sheet) => sheet.buffer.length,
  );
}

/**
 * The one file of a multipart/form-data upload, in the field `file`, handed to `take` with its name
 * (made storable: it goes into the audit trail, so characters PostgreSQL refuses become U+FFFD).
 * The refusals both readUpload and streamUpload make: 415 if not multipart, 413 over maxBytes (or
 * too many parts), 400 for no file, a file in another field, two files, an empty file (`size` of
 * what `take` returned is 0), a malformed body. A SinkFailed thrown by `take` is rethrown as its cause.
 */
async function readOneFile<T>(
  req: FastifyRequest,
  maxBytes: number,
  take: (part: MultipartFile, filename: string, tooLarge: () => ApiException) => Promise<T>,
  size: (taken: T) => number,
): Promise<T> {
  if (typeof req.isMultipart !== 'function' || !req.isMultipart()) {
    throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Send the file as multipart/form-data in the field "file"', [
      { field: 'file', reason: 'must be sent as multipart/form-data (e.g. curl -F file=@posts.csv)' },
    ]);
  }
  const mib = Math.round((maxBytes / 1024 / 1024) * 10) / 10;
  const tooLarge = () =>
    new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, `The file is larger than ${mib} MiB`, [{ field: 'file', reason: `must be at most ${maxBytes} bytes` }]);
  const oneFileOnly = () => ApiException.validation([{ field: 'file', reason: 'only one file may be sent' }], 'Send one file (field "file") per request');
  let got: { taken: T } | undefined;
  try {
    // Every part is read: a second file is refused rather than silently ignored.
    for await (const part of req.parts({ limits: { fileSize: maxBytes, files: 2, fields: 10, parts: 12 } })) {
      if (part.type !== 'file') continue;
      if (got) {
        part.file.resume();
        throw oneFileOnly();
      }
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw ApiException.validation([{ field: 'file', reason: `is required (got a file in the field "${part.fieldname}")` }], 'No file was uploaded');
      }
      const filename = storableText((part.filename || 'upload').slice(0, 200));
      got = { taken: await take(part, filename, tooLarge) };
    }
  } catch (e) {
    if (e instanceof SinkFailed) throw e.cause;
    if ((e as { code?: string })?.code === 'FST_FILES_LIMIT') throw oneFileOnly();
    throw mapMultipartError(e, tooLarge);
  }
  if (!got) throw ApiException.validation([{ field: 'file', reason: 'is required' }], 'No file was uploaded');
  if (size(got.taken) === 0) throw ApiException.validation([{ field: 'file', reason: 'is empty' }], 'The file is empty');
  return got.taken;
}

function mapMultipartError(e: unknown, tooLarge: () => ApiException): unknown {
  const code = (e as { code?: string })?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge();
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, 'Send one file (field "file") per request', [{ field: 'file', reason: 'only one file may be sent' }]);
  }
  if (e instanceof Error && !(e instanceof ApiException)) {
    return ApiException.validation([{ field: 'file', reason: `is not a well-formed multipart upload: ${e.message}` }], 'Malformed multipart upload');
  }
  return e;
}

/** A failure of the sink (the database), told apart from a malformed upload. */
class SinkFailed {
  constructor(readonly cause: unknown) {}
}

/** The stored upload's pieces: each is written as it fills, so no more than one is held in memory. */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;

/**
 * The spreadsheet of a multipart/form-data upload, streamed: `sink` gets the file's bytes in pieces of
 * UPLOAD_CHUNK_BYTES (the last one shorter) as they arrive, so the request never holds the file whole.
 * The same refusals as readUpload (415, 413 at maxBytes, 400 for no file, two files, an empty file).
 * Returns the name and size; if the sink or the upload fails, the error is thrown (the caller's
 * transaction undoes what the sink wrote).
 */
export async function streamUpload(
  req: FastifyRequest,
  maxBytes: number,
  sink: (piece: Buffer, seq: number) => Promise<void>,
): Promise<{ filename: string; bytes: number; head: Buffer }> {
  return readOneFile(
    req,
    maxBytes,
    async (part, filename, tooLarge) => {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let seq = 0;
      let bytes = 0;
      let head = Buffer.alloc(0);
      const flush = async () => {
        const piece = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        try {
          await sink(piece, seq++);
        } catch (err) {
          throw new SinkFailed(err);
        }
      };
      for await (const data of part.file as AsyncIterable<Buffer>) {
        if (head.length < 8) head = Buffer.concat([head, data.subarray(0, 8 - head.length)]);
        bytes += data.length;
        let rest = data;
        while (pendingBytes + rest.length >= UPLOAD_CHUNK_BYTES) {
          const take = UPLOAD_CHUNK_BYTES - pendingBytes;
          pending.push(rest.subarray(0, take));
          pendingBytes += take;
          rest = rest.subarray(take);
          await flush();
        }
        if (rest.length) {
          pending.push(rest);
          pendingBytes += rest.length;
        }
      }
      // @fastify/multipart throws FST_REQ_FILE_TOO_LARGE when the stream ends over the cap (throwFileSizeLimit).
      if ((part.file as { truncated?: boolean }).truncated) throw tooLarge();
      if (pendingBytes) await flush();
      return { filename, bytes, head };
    },
    (got) => got.bytes,
  );
}
