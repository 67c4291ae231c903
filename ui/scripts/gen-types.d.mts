export declare const SCHEMA_PATH: string;
export declare const OUTPUT_PATH: string;
export declare function generate(schema: unknown): Promise<string>;
export declare function generateFromDisk(): Promise<string>;
export declare function readCommitted(): Promise<string>;
