/**
 * An error caused by the user's input or environment (a bad flag, a missing tool, a taken port).
 * The CLI prints its message as one line, with no stack trace, and exits with `exitCode`.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UserError';
  }
}
