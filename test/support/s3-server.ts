/**
 * A real S3-protocol server for tests: s3rver (an HTTP server in Node speaking the S3 REST API,
 * signature V4 checked, objects on disk), on a free port with a temporary directory, removed
 * afterwards. MinIO is not packaged by Debian and its binary cannot be downloaded here
 * (docs/documents.md, "Storage").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './servers';

// s3rver ships no types; the two parts used here.
const S3rver: new (options: Record<string, unknown>) => { run(): Promise<unknown>; close(): Promise<void> } = require('s3rver');
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };

export interface RunningS3 {
  endpoint: string;
  port: number;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  directory: string;
  /** The settings a process needs to keep its documents there (path-style, as MinIO and s3rver want). */
  env: Record<string, string>;
  /** Stop the server but keep its port and data, to start it again with restart(). */
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startS3Server(opts: { bucket?: string; prefix?: string } = {}): Promise<RunningS3> {
  const bucket = opts.bucket ?? 'wtt-documents';
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), 'wtt-s3-'));
  const accessKeyId = 'wtt-test-key';
  const secretAccessKey = 'wtt-test-secret-not-for-production';
  DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  let server: { run(): Promise<unknown>; close(): Promise<void> } | undefined;
  const launch = async () => {
    server = new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
    await server.run();
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (s) await s.close();
  };
  await launch();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    bucket,
    accessKeyId,
    secretAccessKey,
    directory,
    env: {
      DOCUMENT_STORE: 's3',
      S3_ENDPOINT: endpoint,
      S3_REGION: 'eu-west-2',
      S3_BUCKET: bucket,
      S3_PREFIX: opts.prefix ?? 'documents',
      S3_ACCESS_KEY_ID: accessKeyId,
      S3_SECRET_ACCESS_KEY: secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    },
    stop,
    restart: launch,
    close: async () => {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
