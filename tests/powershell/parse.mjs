// Parse PowerShell files with tree-sitter-powershell and report the first syntax error of each.
// Usage: node parse.mjs FILE.ps1 [FILE.ps1 ...]
// Exit 0: every file parsed cleanly. Exit 1: at least one file has an ERROR or MISSING node
// (printed as "path:line:column: ERROR (innermost at line:column near '...')"). Exit 2: usage or setup problem.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { Language, Parser } from "web-tree-sitter";

// Speed only: with V8's default wasm tiering, node 20 spends ~12 s of CPU optimising the 1 MB
// grammar in the background and waits for it before exiting. Baseline (Liftoff) code is plenty.
for (const flag of ["--no-wasm-dynamic-tiering", "--liftoff", "--no-wasm-tier-up"]) v8.setFlagsFromString(flag);

const here = dirname(fileURLToPath(import.meta.url));
const wasm = join(here, "node_modules", "tree-sitter-powershell", "tree-sitter-powershell.wasm");

// The first ERROR or MISSING node in document order (pre-order: the outermost one).
function firstProblem(node) {
  if (node.isError || node.isMissing) return node;
  if (!node.hasError) return null;
  for (const child of node.children) {
    const found = firstProblem(child);
    if (found) return found;
  }
  return node;
}

// From a problem node, keep descending into the first child that is or holds an error: tree-sitter's
// recovery often wraps a whole script in one ERROR, the innermost one is nearer the real mistake.
function innermostProblem(node) {
  for (const child of node.children) {
    if (child.isError || child.isMissing || child.hasError) return innermostProblem(child);
  }
  return node;
}

function where(node) {
  return `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
}

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node parse.mjs FILE.ps1 [FILE.ps1 ...]");
    return 2;
  }
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(wasm));
  let failed = 0;
  for (const file of files) {
    const tree = parser.parse(readFileSync(file, "utf8"));
    if (!tree.rootNode.hasError) {
      console.log(`ok ${file}`);
      continue;
    }
    failed += 1;
    const bad = firstProblem(tree.rootNode);
    const inner = innermostProblem(bad);
    const kind = bad.isMissing ? `MISSING ${bad.type}` : "ERROR";
    const near = inner.text.split("\n")[0].slice(0, 60);
    console.log(`${file}:${where(bad)}: ${kind} (innermost at ${where(inner)} near '${near}')`);
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`parse.mjs: ${err.stack || err}`);
    process.exit(2);
  },
);
