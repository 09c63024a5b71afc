// The engine's package (pkg/, written by `cargo xtask build`): where its files are served from. `cargo xtask dist`
// names the engine's module and the data files it publishes by their content (pkg/digits.<hash>.csv: a browser or a proxy never keeps a
// stale copy) and rewrites the table below to say so; in www/ the files keep their own names.

const RENAMED = {};

/** The URL of file `name` of the engine's package (the engine's module, kd_playground_bg.wasm; a data set it asks for, e.g. digits.csv). */
export function packageFile(name) {
  const served = Object.prototype.hasOwnProperty.call(RENAMED, name) ? RENAMED[name] : name;
  return new URL(`../pkg/${served}`, import.meta.url);
}

/** The engine's module, compiled (once per page: the page instantiates it, and hands it to its worker). */
export async function compileEngine() {
  const url = packageFile('kd_playground_bg.wasm');
  try {
    return await WebAssembly.compileStreaming(fetch(url));
  } catch {
    // a server that does not say application/wasm: compiled from the bytes
    const response = await fetch(url);
    if (!response.ok) throw new Error(`kd_playground_bg.wasm: HTTP ${response.status}`);
    return WebAssembly.compile(await response.arrayBuffer());
  }
}
