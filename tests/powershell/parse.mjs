// Parse PowerShell files with tree-sitter-powershell and report the first syntax error of each.
// Usage: node parse.mjs FILE.ps1 [FILE.ps1 ...]
// Exit 0: every file parsed cleanly. Exit 1: at least one file has an ERROR or MISSING node
// (printed as "path:line:column: ERROR near '...'"). Exit 2: usage or setup problem.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Language, Parser } from "web-tree-sitter";

const here = dirname(fileURLToPath(import.meta.url));
const wasm = join(here, "node_modules", "tree-sitter-powershell", "tree-sitter-powershell.wasm");

// Depth-first search for the first node that is an ERROR or a MISSING token.
function firstProblem(node) {
  if (node.isError || node.isMissing) return node;
  if (!node.hasError) return null;
  for (const child of node.children) {
    const found = firstProblem(child);
    if (found) return found;
  }
  return node;
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
    const { row, column } = bad.startPosition;
    const kind = bad.isMissing ? `MISSING ${bad.type}` : "ERROR";
    const near = bad.text.split("\n")[0].slice(0, 60);
    console.log(`${file}:${row + 1}:${column + 1}: ${kind} near '${near}'`);
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
