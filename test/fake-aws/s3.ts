import { awsError } from './errors.js';

interface Version {
  key: string;
  versionId: string;
  body?: string;
  deleteMarker: boolean;
  lastModified: Date;
}

interface Bucket {
  versioned: boolean;
  versions: Version[];
  config: Record<string, unknown>;
}

/**
 * S3 as tap uses it: buckets, versioned objects and delete markers, and the paginated
 * `ListObjectVersions` (keys ascending, each key's versions newest first, `KeyMarker` /
 * `VersionIdMarker` continuing after the last returned entry) that bucket emptying relies on.
 */
export class FakeS3 {
  readonly buckets = new Map<string, Bucket>();
  private nextVersion = 1;

  constructor(private readonly now: () => Date) {}

  createBucket(name: string, versioned = false): void {
    // AWS answers 200 in us-east-1 for a bucket you already own (a legacy behaviour); the fake answers
    // as every other region does, which is the case tap must handle.
    if (this.buckets.has(name)) throw awsError('BucketAlreadyOwnedByYou', `Your previous request to create the named bucket succeeded and you already own it.`, 409);
    this.buckets.set(name, { versioned, versions: [], config: {} });
  }

  deleteBucket(name: string): void {
    const b = this.bucket(name);
    if (b.versions.length > 0) throw awsError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409);
    this.buckets.delete(name);
  }

  headBucket(name: string): void {
    if (!this.buckets.has(name)) throw awsError('NotFound', 'Not Found', 404);
  }

  configure(name: string, what: string, value: unknown): void {
    this.bucket(name).config[what] = value;
  }

  /** GetBucketLifecycleConfiguration: AWS answers 404 NoSuchLifecycleConfiguration for a bucket without one. */
  lifecycle(name: string): { Rules: unknown[] } {
    const lifecycle = this.bucket(name).config.lifecycle as { Rules?: unknown[] } | undefined;
    if (!lifecycle) throw awsError('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', 404);
    return { Rules: lifecycle.Rules ?? [] };
  }

  putObject(bucket: string, key: string, body: string): string {
    const b = this.bucket(bucket);
    const versionId = b.versioned ? `v${this.nextVersion++}` : 'null';
    if (!b.versioned) b.versions = b.versions.filter((v) => v.key !== key);
    b.versions.push({ key, versionId, body, deleteMarker: false, lastModified: this.now() });
    return versionId;
  }

  /** A delete without a version id: a delete marker in a versioned bucket, as S3 does. */
  deleteObject(bucket: string, key: string): void {
    const b = this.bucket(bucket);
    if (b.versioned) b.versions.push({ key, versionId: `v${this.nextVersion++}`, deleteMarker: true, lastModified: this.now() });
    else b.versions = b.versions.filter((v) => v.key !== key);
  }

  getObject(bucket: string, key: string): string {
    const latest = this.latest(bucket, key);
    if (!latest || latest.deleteMarker) throw awsError('NoSuchKey', 'The specified key does not exist.', 404);
    return latest.body ?? '';
  }

  listObjects(bucket: string, prefix = ''): { Key: string; LastModified: Date; Size: number }[] {
    const keys = [...new Set(this.bucket(bucket).versions.map((v) => v.key))].filter((k) => k.startsWith(prefix)).sort();
    return keys.flatMap((key) => {
      const v = this.latest(bucket, key);
      return v && !v.deleteMarker ? [{ Key: key, LastModified: v.lastModified, Size: (v.body ?? '').length }] : [];
    });
  }

  /** ListObjectsV2: keys ascending, at most `MaxKeys` (1,000 at most, as S3) a page, continued by a token. */
  listObjectsV2(input: { Bucket?: string; Prefix?: string; MaxKeys?: number; ContinuationToken?: string; StartAfter?: string }) {
    const after = input.ContinuationToken ?? input.StartAfter ?? '';
    const all = this.listObjects(input.Bucket ?? '', input.Prefix).filter((o) => o.Key > after);
    const page = all.slice(0, Math.min(input.MaxKeys ?? 1000, 1000));
    const truncated = page.length < all.length;
    return { Contents: page, KeyCount: page.length, IsTruncated: truncated, NextContinuationToken: truncated ? page.at(-1)?.Key : undefined };
  }

  listObjectVersions(input: { Bucket?: string; KeyMarker?: string; VersionIdMarker?: string; MaxKeys?: number }) {
    const all = this.ordered(input.Bucket ?? '');
    let start = 0;
    if (input.KeyMarker !== undefined) {
      const at = all.findIndex((v) => v.key === input.KeyMarker && v.versionId === input.VersionIdMarker);
      start = at >= 0 ? at + 1 : all.findIndex((v) => v.key > input.KeyMarker!);
      if (start < 0) start = all.length;
    }
    const max = Math.min(input.MaxKeys ?? 1000, 1000);
    const page = all.slice(start, start + max);
    const truncated = start + max < all.length;
    const last = page[page.length - 1];
    const entry = (v: Version) => ({ Key: v.key, VersionId: v.versionId, IsLatest: this.latest(input.Bucket ?? '', v.key) === v, LastModified: v.lastModified });
    return {
      Versions: page.filter((v) => !v.deleteMarker).map(entry),
      DeleteMarkers: page.filter((v) => v.deleteMarker).map(entry),
      IsTruncated: truncated,
      NextKeyMarker: truncated ? last?.key : undefined,
      NextVersionIdMarker: truncated ? last?.versionId : undefined,
    };
  }

  deleteObjects(bucket: string, objects: { Key?: string; VersionId?: string }[]) {
    if (objects.length > 1000) throw awsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
    const b = this.bucket(bucket);
    for (const o of objects) {
      if (o.VersionId) b.versions = b.versions.filter((v) => !(v.key === o.Key && v.versionId === o.VersionId));
      else this.deleteObject(bucket, o.Key ?? '');
    }
    return { Deleted: objects.map((o) => ({ Key: o.Key, VersionId: o.VersionId })), Errors: [] };
  }

  objectCount(bucket: string): number {
    return this.buckets.get(bucket)?.versions.length ?? 0;
  }

  private bucket(name: string): Bucket {
    const b = this.buckets.get(name);
    if (!b) throw awsError('NoSuchBucket', 'The specified bucket does not exist', 404);
    return b;
  }

  private latest(bucket: string, key: string): Version | undefined {
    return this.bucket(bucket).versions.filter((v) => v.key === key).at(-1);
  }

  /** Keys ascending; within a key, newest version first. */
  private ordered(bucket: string): Version[] {
    const b = this.bucket(bucket);
    return b.versions
      .map((v, i) => ({ v, i }))
      .sort((x, y) => (x.v.key === y.v.key ? y.i - x.i : x.v.key < y.v.key ? -1 : 1))
      .map(({ v }) => v);
  }
}
