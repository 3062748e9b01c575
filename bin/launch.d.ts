/** The CLI module (`main(args)`), bundled from the current sources of the project at `root`. */
export function loadCli(root?: string): Promise<{ main(args: string[]): Promise<unknown> }>;
