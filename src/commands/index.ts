import type { CommandDefinition } from '../command.js';
import completion from './completion.js';
import config from './config.js';
import deploy from './deploy.js';
import destroy from './destroy.js';
import diff from './diff.js';
import list from './list.js';
import logs from './logs.js';
import replay from './replay/index.js';
import status from './status.js';
import synth from './synth.js';
import trace from './trace.js';
import verify from './verify.js';

/** Every command, in the order of `tap --help`. */
export const COMMANDS: readonly CommandDefinition[] = [synth, diff, deploy, verify, replay, trace, logs, status, list, destroy, config, completion];
