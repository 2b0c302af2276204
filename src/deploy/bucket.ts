import type { ObjectIdentifier } from '@aws-sdk/client-s3';
import type { Deps } from '../deps.js';
import { retryTransient } from '../aws/retry.js';
import { JobFailed } from '../errors.js';

/** `DeleteObjects` takes at most 1,000 keys per call. */
const BATCH = 1000;
const RETRY_MS = 1000;

/**
 * Removes every object version and delete marker from a versioned bucket, so CloudFormation can
 * delete it (it refuses a bucket that is not empty). Returns how many were removed; a bucket that
 * is already gone counts as empty.
 *
 * Each round lists the first page from the start of the bucket and deletes what it holds; it never
 * continues from the markers of versions it has just deleted (real S3 and emulators disagree on what
 * follows a marker that no longer exists). Every round removes a whole page, so the rounds end when
 * the first page comes back empty, whatever the bucket holds.
 */
export async function emptyBucket(bucket: string, deps: Deps): Promise<number> {
  const { ListObjectVersionsCommand, DeleteObjectsCommand } = await import('@aws-sdk/client-s3');
  const s3 = await deps.aws.s3();
  let removed = 0;
  deps.io.notify({ level: 'progress', code: 'destroy.emptying', data: { bucket, removed } });
  try {
    for (;;) {
      const page = await retryTransient(deps, RETRY_MS, () => s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: BATCH })));
      const ids: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key, VersionId: v.VersionId }));
      if (ids.length === 0) return removed;
      for (let i = 0; i < ids.length; i += BATCH) {
        const batch = ids.slice(i, i + BATCH);
        // Deleting given versions is idempotent, so a failed call is simply made again.
        const { Errors } = await retryTransient(deps, RETRY_MS, () => s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } })));
        if (Errors?.length) {
          const first = Errors[0];
          throw new JobFailed(`could not delete ${Errors.length} object version(s) from ${bucket}: ${first?.Key} ${first?.Code}: ${first?.Message}`, {
            hint: `${removed} removed so far; run tap destroy again to go on`,
          });
        }
        removed += batch.length;
      }
      deps.io.notify({ level: 'progress', code: 'destroy.emptying', data: { bucket, removed } });
    }
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchBucket') return removed;
    throw error;
  }
}
