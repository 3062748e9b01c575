export { recordPrefilter, type RecordSkipTest } from './record-prefilter.js';
export { jsonShape, scanJson, MAX_DEPTH, type JsonScan, type JsonShape } from './json-scan.js';
export { jobLiterals } from './job-literals.js';
export { valueBytes } from './value-bytes.js';
export { ValueTable } from './value-table.js';
