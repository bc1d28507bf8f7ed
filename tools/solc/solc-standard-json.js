#!/usr/bin/env node
// A `solc` executable for py-solc-x / ape-solidity, backed by solc-js (npm `solc`, wasm).
//
// No native solc can be downloaded on our machines (only PyPI, npm and Debian are reachable),
// so `make` installs a shim `.solcx/solc-v<version>` that runs this script. py-solc-x only
// ever calls two forms, and this script answers exactly those:
//   solc --version
//   solc --standard-json [--base-path P] [--include-path I]... [--allow-paths A] < input.json
// Every source is handed to the compiler as {"urls": [path]} and its text served from the
// import callback: passing large inputs inline can crash solc-js ("memory access out of
// bounds") because the whole input string is copied onto the small wasm stack.
"use strict";
const fs = require("fs");
const path = require("path");

const projectRoot = path.resolve(__dirname, "..", "..");
const solc = require(require.resolve("solc", { paths: [projectRoot] }));

function parseArgs(argv) {
  const opts = { basePath: null, includePaths: [], standardJson: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--version") opts.version = true;
    else if (a === "--standard-json") opts.standardJson = true;
    else if (a === "--base-path") opts.basePath = argv[++i];
    else if (a === "--include-path") opts.includePaths.push(argv[++i]);
    else if (a === "--allow-paths") i++; // solc-js reads only through our callback
    else if (a.startsWith("--")) {
      // Unknown flags are ignored rather than guessed at; py-solc-x sends none besides these.
    }
  }
  return opts;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.version) {
    // py-solc-x parses the first x.y.z it sees.
    const v = solc.version(); // e.g. "0.8.30+commit.73712a01.Emscripten.clang"
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${v}\n`);
    return 0;
  }
  if (!opts.standardJson) {
    process.stderr.write("solc-standard-json.js: only --version and --standard-json are supported\n");
    return 1;
  }
  const input = JSON.parse(fs.readFileSync(0, "utf8"));
  const roots = [opts.basePath || process.cwd(), ...opts.includePaths, process.cwd()];
  const inline = new Map();
  for (const [name, src] of Object.entries(input.sources || {})) {
    if (typeof src.content === "string") {
      inline.set(name, src.content);
      input.sources[name] = { urls: [name] };
    }
  }
  function findImports(p) {
    if (inline.has(p)) return { contents: inline.get(p) };
    for (const root of roots) {
      const full = path.isAbsolute(p) ? p : path.join(root, p);
      if (fs.existsSync(full) && fs.statSync(full).isFile()) {
        return { contents: fs.readFileSync(full, "utf8") };
      }
    }
    return { error: `File not found: ${p} (searched ${roots.join(", ")})` };
  }
  const output = solc.compile(JSON.stringify(input), { import: findImports });
  process.stdout.write(output);
  return 0;
}

process.exitCode = main();
