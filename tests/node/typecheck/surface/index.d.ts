// A stand-in for bindings/node/index.d.ts (the `ferryman` npm package's own
// types, written on branch `node`) with the surface a generated .d.ts uses;
// tsconfig.json's `paths` takes the real file first when it is there.
/// <reference types="node" />

export interface Frame {
  function: string;
  file: string;
  line: number;
  column?: number;
}

export declare class RustError extends Error {
  readonly kind: string;
  readonly rustType: string | null;
  readonly function: string | null;
  readonly variant: string | null;
  readonly fields: Record<string, unknown> | null;
  readonly frames: Frame[];
  /** The fields, also as properties. */
  [field: string]: unknown;
}

export declare class RustPanic extends Error {
  readonly frames: Frame[];
}

export declare class ArgumentError extends TypeError {
  readonly function: string | null;
  readonly param: string | null;
}

export declare class ClosedObjectError extends Error {}

export interface Library {
  readonly functions: readonly string[];
  describe(): Record<string, unknown>;
  readonly errors: Record<string, typeof RustError>;
  liveObjects(): Record<string, number>;
}

export declare function load<L extends Library = Library & { [name: string]: any }>(path: string): L;
