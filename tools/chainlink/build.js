#!/usr/bin/env node
// Chainlink's own data-feed contracts, built from source for the tests: the EACAggregatorProxy
// every Chainlink feed is read through, and MockV3Aggregator, Chainlink's reference aggregator
// for tests. npm `@chainlink/contracts@0.8.0` ships their sources (1.5.0 no longer ships the
// proxy) but no bytecode, so they are compiled here with the compiler they were written for,
// solc 0.6.6 (solc-js, npm alias `solc-0.6.6`). Nothing of Chainlink's is committed: it is read
// from node_modules at build time.
//
//   node tools/chainlink/build.js <out dir>   writes <out dir>/<Contract>.json {contractName, abi,
//                                             bytecode, deployedBytecode} (0x-prefixed hex)
"use strict";
const fs = require("fs");
const path = require("path");

const projectRoot = path.resolve(__dirname, "..", "..");
const solc = require(require.resolve("solc-0.6.6", { paths: [projectRoot] }));
const SRC = path.join(
  path.dirname(require.resolve("@chainlink/contracts/package.json", { paths: [projectRoot] })),
  "src",
  "v0.6",
);
const CONTRACTS = {
  EACAggregatorProxy: "EACAggregatorProxy.sol",
  MockV3Aggregator: "tests/MockV3Aggregator.sol",
};

function main() {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write("usage: build.js <out dir>\n");
    return 1;
  }
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(Object.values(CONTRACTS).map((f) => [f, { urls: [f] }])),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      outputSelection: {
        "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] },
      },
    },
  };
  // Imports inside the package are relative (`./AggregatorProxy.sol`, `../interfaces/...`), so
  // every source name resolves under src/v0.6.
  const findImports = (p) => {
    const full = path.join(SRC, p);
    if (!fs.existsSync(full)) return { error: `not found: ${p}` };
    return { contents: fs.readFileSync(full, "utf8") };
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  if (errors.length) {
    for (const e of errors) process.stderr.write(`${e.formattedMessage}\n`);
    return 1;
  }
  fs.mkdirSync(out, { recursive: true });
  for (const [name, file] of Object.entries(CONTRACTS)) {
    const c = output.contracts[file][name];
    const artifact = {
      contractName: name,
      compiler: `solc ${solc.version()}`,
      source: `@chainlink/contracts/src/v0.6/${file}`,
      abi: c.abi,
      bytecode: `0x${c.evm.bytecode.object}`,
      deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
    };
    fs.writeFileSync(path.join(out, `${name}.json`), `${JSON.stringify(artifact, null, 1)}\n`);
    const size = c.evm.bytecode.object.length / 2;
    process.stdout.write(`${name}: ${size} bytes of creation code (solc ${solc.version()})\n`);
  }
  return 0;
}

process.exitCode = main();
