import { describeArchive } from '../replay/replays.js';
import { ARCHIVE_RETENTION_DAYS } from '../stack/spec.js';
import { type Check, compare, redeploy } from './check.js';

/** The archive is ENABLED, archives this env's bus, and keeps events for 7 days. */
export const archiveCheck: Check = {
  id: 'archive',
  title: 'EventBridge archive',
  async run(ctx) {
    const a = await describeArchive(await ctx.deps.aws.eventBridge(), ctx.names);
    return compare(
      [
        ['state', a.State, 'ENABLED'],
        ['source', a.EventSourceArn?.split('/').pop(), ctx.names.bus],
        ['retention days', a.RetentionDays, ARCHIVE_RETENTION_DAYS],
      ],
      ctx.names.archive,
      redeploy(ctx.env),
    );
  },
};
