/**
 * The two storages a download can write to, behind one face, so a storage scenario runs against
 * both with `describe.each(sinkKinds())`: the local directory (a partial file per attempt in its
 * staging folder) and an S3 bucket on SeaweedFS (one multipart upload per download). Each kind
 * reads back what the storage holds by its own means, never through the code under test.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListPartsCommand } from '@aws-sdk/client-s3';
import type { DownloadCheckpoint } from '../../src/storage/sink';
import { loadSampleVideo, withTrailingFreeBox } from '../../src/simulator/sample-video';
import { LocalDirectoryStorage, type VideoStorage } from '../../src/storage';
import type { Checkpoint as LocalCheckpoint } from '../../src/storage/partial-file';
import type { S3SinkCheckpoint } from '../../src/storage/s3/s3-sink';
import { S3Storage } from '../../src/storage/s3/s3-storage';
import { outputContents } from './files';
import { startTestBucket, type TestBucket } from './s3-bucket';

const MIB = 1024 * 1024;
/** The S3 sink's part size in these tests: S3's minimum. */
export const TEST_PART_SIZE = 5 * MIB;

/** A valid MP4 of exactly `parts` S3 parts: a checkpoint at a part boundary can then hold all of it. */
export function videoOfParts(parts: number): Buffer {
  const sample = loadSampleVideo();
  return withTrailingFreeBox(sample, 'x'.repeat(parts * TEST_PART_SIZE - sample.length - 8));
}

/** A leftover of an unfinished download and the bytes it holds durably. */
export interface LeftPartial {
  /** The local partial file's name, or the S3 upload id. */
  name: string;
  bytes: number;
}

/** One empty storage of a kind, and the test's own view of what it holds. */
export interface SinkUnderTest {
  readonly storage: VideoStorage;
  /** The bytes stored under `fileName`, or undefined if no video is there. */
  readStored(fileName: string): Promise<Buffer | undefined>;
  /** The names of the stored videos. */
  storedNames(): Promise<string[]>;
  /** Local partial files, or S3 multipart uploads still open. */
  listPartials(): Promise<LeftPartial[]>;
  /** The name of the partial a download checkpoint points at (as in `listPartials`). */
  partialOf(checkpoint: DownloadCheckpoint): string;
  /** Whether that partial durably holds exactly `checkpoint.offset` bytes, the first ones of `video`. */
  holdsPrefix(checkpoint: DownloadCheckpoint, video: Buffer): Promise<boolean>;
}

export interface SinkKind {
  readonly name: 'local directory' | 'S3 bucket';
  /** Checkpoints fall on multiples of this (S3: the part boundaries; local: any byte). */
  readonly checkpointGrain: number;
  /** Starts what the kind needs for a whole test file (SeaweedFS). */
  setUp(): Promise<void>;
  /** A new, empty storage. */
  create(): Promise<SinkUnderTest>;
  tearDown(): Promise<void>;
}

/** Both kinds, fresh for a test file. */
export function sinkKinds(): SinkKind[] {
  return [localDirectoryKind(), s3BucketKind()];
}

function localDirectoryKind(): SinkKind {
  const dirs: string[] = [];
  return {
    name: 'local directory',
    checkpointGrain: 1,
    async setUp() {},
    async create() {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-sinks-'));
      dirs.push(dir);
      const storage = await LocalDirectoryStorage.create(dir);
      const partialFile = (checkpoint: DownloadCheckpoint) =>
        path.join(storage.stagingDir, (checkpoint as LocalCheckpoint).partial);
      return {
        storage,
        readStored: (fileName) => fs.readFile(path.join(dir, fileName)).catch(() => undefined),
        storedNames: async () => (await outputContents(dir)).files,
        async listPartials() {
          const { partials } = await outputContents(dir);
          const sizes = await Promise.all(partials.map((name) => fs.stat(path.join(storage.stagingDir, name))));
          return partials.map((name, i) => ({ name, bytes: sizes[i]!.size }));
        },
        partialOf: (checkpoint) => (checkpoint as LocalCheckpoint).partial,
        async holdsPrefix(checkpoint, video) {
          const bytes = await fs.readFile(partialFile(checkpoint)).catch(() => undefined);
          return bytes !== undefined && bytes.equals(video.subarray(0, checkpoint.offset));
        },
      };
    },
    async tearDown() {
      await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
    },
  };
}

function s3BucketKind(): SinkKind {
  const bucketName = 'sink-scenarios';
  let bucket: TestBucket | undefined;
  let prefixes = 0;
  return {
    name: 'S3 bucket',
    checkpointGrain: TEST_PART_SIZE,
    async setUp() {
      bucket = await startTestBucket(bucketName);
    },
    async create() {
      const b = bucket!;
      const prefix = `run${++prefixes}/`;
      const storage = new S3Storage(b.client, `s3://${bucketName}/${prefix}`, { partSize: TEST_PART_SIZE });
      /** Parts by number, from the server's own listing. */
      const listParts = async (key: string, uploadId: string) => {
        const listed = await b.client.send(new ListPartsCommand({ Bucket: bucketName, Key: key, UploadId: uploadId }));
        return (listed.Parts ?? []).map((p) => ({ number: p.PartNumber!, etag: p.ETag!, size: p.Size ?? 0 }));
      };
      return {
        storage,
        readStored: (fileName) => b.readObject(prefix + fileName).catch(() => undefined),
        storedNames: async () => (await b.listedKeys(prefix)).map((key) => key.slice(prefix.length)).sort(),
        async listPartials() {
          const uploads = await b.pendingUploads(prefix);
          return Promise.all(
            uploads.map(async ({ key, uploadId }) => ({
              name: uploadId,
              bytes: (await listParts(key, uploadId).catch(() => [])).reduce((sum, p) => sum + p.size, 0),
            })),
          );
        },
        partialOf: (checkpoint) => (checkpoint as unknown as S3SinkCheckpoint).upload.uploadId,
        // The server's part ETags are the MD5 of each part's bytes: compared with the video's slices.
        async holdsPrefix(checkpoint, video) {
          const { key, uploadId, partSize } = (checkpoint as unknown as S3SinkCheckpoint).upload;
          const parts = await listParts(key, uploadId).catch(() => undefined);
          if (!parts || parts.length * partSize !== checkpoint.offset) return false;
          return parts.every((part, i) => {
            const slice = video.subarray(i * partSize, (i + 1) * partSize);
            const md5 = createHash('md5').update(slice).digest('hex');
            return part.number === i + 1 && part.size === partSize && part.etag.replace(/"/g, '') === md5;
          });
        },
      };
    },
    async tearDown() {
      await bucket?.close();
    },
  };
}
