// parquetjs-lite ships no types; these cover the parts gamepipe uses.
declare module 'parquetjs-lite' {
  export interface FieldDefinition {
    type: string;
    optional?: boolean;
    compression?: string;
    encoding?: string;
    statistics?: boolean;
  }
  export class ParquetSchema {
    constructor(fields: Record<string, FieldDefinition>);
  }
  export class ParquetEnvelopeWriter {
    constructor(
      schema: ParquetSchema,
      write: (chunk: Buffer) => void,
      close: () => void,
      fileOffset: number,
      opts: { pageSize?: number; useDataPageV2?: boolean },
    );
  }
  export class ParquetWriter {
    constructor(schema: ParquetSchema, envelope: ParquetEnvelopeWriter, opts: { rowGroupSize?: number });
    appendRow(row: Record<string, unknown>): Promise<void>;
    close(): Promise<void>;
  }
  const parquet: {
    ParquetSchema: typeof ParquetSchema;
    ParquetEnvelopeWriter: typeof ParquetEnvelopeWriter;
    ParquetWriter: typeof ParquetWriter;
  };
  export default parquet;
}

declare module 'parquetjs-lite/lib/types.js' {
  const types: {
    PARQUET_LOGICAL_TYPES: Record<string, { primitiveType: string; originalType?: string; toPrimitive(value: unknown): unknown }>;
  };
  export default types;
}
