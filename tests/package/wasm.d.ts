// What the README tells TypeScript users of esbuild's `file` loader to declare.
declare module '*.wasm' {
  const url: string;
  export default url;
}
