/** The default port of the runner's /metrics and /status (the Prometheus exporter convention). */
export const DEFAULT_METRICS_PORT = 9464;

/** Where the runner's /metrics and /status are by default, for the commands that read them. */
export const DEFAULT_METRICS_URL = `http://127.0.0.1:${DEFAULT_METRICS_PORT}`;
