import type { Level } from './types.js';
import { type DeployMessages, deploySentences } from './deploy.js';
import { type LogsMessages, logsSentences } from './logs.js';
import { type ObserveMessages, observeSentences } from './observe.js';
import { type RunMessages, runSentences } from './run.js';

/**
 * Typed messages (as aws-cdk-cli's toolkit-lib types its IoMessages): every code has a payload type,
 * and the sentence a person reads is drawn from the payload here, never composed by the logic that
 * emits it. An area's codes and sentences live side by side in its own file; a new message is one
 * line in its area's map type and one entry in its sentences (the compiler asks for both).
 */
export interface Payloads extends RunMessages, DeployMessages, ObserveMessages, LogsMessages {}

export type Code = keyof Payloads;

/** What logic emits: a level, a code, and that code's payload (`data`); the compiler checks the pair. */
export type Message = { [C in Code]: { readonly level: Level; readonly code: C; readonly data: Payloads[C] } }[Code];

/** An area's sentences: for each of its codes, the line a person reads, drawn from the payload alone. */
export type Sentences<P> = { readonly [C in keyof P]: (data: P[C]) => string };

const SENTENCES: Sentences<Payloads> = { ...runSentences, ...deploySentences, ...observeSentences, ...logsSentences };

/** Every code (test/messages.test.ts has a case for each). */
export const CODES = Object.keys(SENTENCES) as readonly Code[];

/** The sentence for a message: the one place where (code, payload) becomes text. */
export function sentence(message: Message): string {
  // The map pairs each code with its payload's sentence; TypeScript cannot follow that through a union.
  return (SENTENCES[message.code] as (data: Message['data']) => string)(message.data);
}

export type { ErrorReport } from './run.js';
export { describeChange } from './deploy.js';
export { summaryLine } from './observe.js';
