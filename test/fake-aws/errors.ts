/** An error shaped as the SDK v3 surfaces a service error: a name, a message and `$metadata`. */
export function awsError(name: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}

/** CloudFormation reports most refusals as a ValidationError (HTTP 400). */
export const validationError = (message: string): Error => awsError('ValidationError', message, 400);
