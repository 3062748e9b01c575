// Starts a TypeScript child process when the console runs from its sources (tests, tsx): a forked
// process does not inherit its parent's TypeScript loader. The bundled CLI forks its compiled entry.
const { register } = await import('tsx/esm/api');
register();
await import(process.argv[2]);
