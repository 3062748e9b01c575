export { recordPrefilter, type RecordSkipTest } from './record-prefilter.js';
export { jsonShape, isJsonObject, MAX_DEPTH, type JsonShape } from './json-shape.js';
export { jobLiterals } from './job-literals.js';
export { quotedNeedle } from './needle.js';
