/** A real S3 server (SeaweedFS on loopback) with one bucket, and the reads tests check it with. */
import { GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startS3Server, type S3Server } from '../../src/testing/s3-server';

export interface TestBucket {
  server: S3Server;
  client: S3Client;
  name: string;
  /** The whole object, by a plain GetObject. */
  readObject(key: string): Promise<Buffer>;
  /** Keys of complete objects under `prefix`. */
  listedKeys(prefix: string): Promise<string[]>;
  /** Multipart uploads still open under `prefix`. */
  pendingUploads(prefix: string): Promise<{ key: string; uploadId: string }[]>;
  close(): Promise<void>;
}

/** Starts the server (installing SeaweedFS on first use) and creates bucket `name`. */
export async function startTestBucket(name: string): Promise<TestBucket> {
  const server = await startS3Server();
  const client = new S3Client(server.clientConfig());
  await server.createBucket(name);
  return {
    server,
    client,
    name,
    async readObject(key) {
      const response = await client.send(new GetObjectCommand({ Bucket: name, Key: key }));
      return Buffer.from(await response.Body!.transformToByteArray());
    },
    async listedKeys(prefix) {
      const response = await client.send(new ListObjectsV2Command({ Bucket: name, Prefix: prefix }));
      return (response.Contents ?? []).map((object) => object.Key!);
    },
    async pendingUploads(prefix) {
      const response = await client.send(new ListMultipartUploadsCommand({ Bucket: name, Prefix: prefix }));
      return (response.Uploads ?? []).map((upload) => ({ key: upload.Key!, uploadId: upload.UploadId! }));
    },
    async close() {
      client.destroy();
      await server.stop();
    },
  };
}
