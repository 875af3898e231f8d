// jsonexport ships no types; react-admin uses it for its own CSV exporter.
declare module 'jsonexport/dist' {
  interface Options {
    headers?: string[];
    rename?: string[];
    rowDelimiter?: string;
    forceTextDelimiter?: boolean;
  }
  export default function jsonexport(data: readonly object[], options?: Options): Promise<string>;
}
